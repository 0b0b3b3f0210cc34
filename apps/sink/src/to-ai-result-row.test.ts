import { PermanentError, type InboundMessage } from '@spine/runtime';
import type { SupportTriageResult } from '@spine/schemas';
import { toAiResultRow, toResultView } from './to-ai-result-row.js';

const metadata = {
  eventId: '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10',
  occurredAt: new Date('2024-05-01T12:00:00Z'),
  receivedAt: new Date('2024-05-01T12:00:01Z'),
  source: 'crm',
  correlationId: 'corr-1',
};
const value: SupportTriageResult = {
  metadata,
  customerId: 'cust-1',
  sentiment: 'POSITIVE',
  sentimentScore: 0.4,
  intent: 'FEEDBACK',
  intentConfidence: 0.7,
  priority: 'P4',
  model: { name: 'support-triage', version: '1.0.0', routing: 'CHAMPION' as const, arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null },
  inferredAt: new Date('2024-05-01T12:00:02Z'),
};
const message = (v: unknown): InboundMessage<unknown, unknown> => ({
  key: 'cust-1',
  value: v,
  headers: {},
  topic: 'p.spine.ai.support-triage.v1',
  partition: 2,
  offset: '17',
  timestamp: '0',
  correlationId: 'corr-1',
  attempt: 1,
  signal: new AbortController().signal,
});

describe('toAiResultRow', () => {
  it('takes the envelope every result carries into columns and the value as JSON', () => {
    const row = toAiResultRow(message(value), 'spine.ai.support-triage.v1', 'trace-1');
    expect(row).toEqual({
      eventId: metadata.eventId,
      resultTopic: 'spine.ai.support-triage.v1',
      entityKey: 'cust-1',
      correlationId: 'corr-1',
      modelName: 'support-triage',
      modelVersion: '1.0.0',
      occurredAt: metadata.occurredAt,
      receivedAt: metadata.receivedAt,
      result: JSON.parse(JSON.stringify(value)),
      traceId: 'trace-1',
      sourceTopic: 'p.spine.ai.support-triage.v1',
      sourcePartition: 2,
      sourceOffset: '17',
    });
    expect(row.result.inferredAt).toBe('2024-05-01T12:00:02.000Z');
  });

  it('refuses, as permanent, a result without the metadata or model every result must carry', () => {
    expect(() => toAiResultRow(message({ ...value, metadata: undefined }), 't', null)).toThrow(PermanentError);
    expect(() => toAiResultRow(message({ ...value, model: undefined }), 't', null)).toThrow(/ModelInfo/);
  });
});

describe('toResultView', () => {
  it("answers the result's own fields at the top level with the envelope, as triage clients always read them", () => {
    const view = toResultView({ ...toAiResultRow(message(value), 'spine.ai.support-triage.v1', null), storedAt: new Date('2024-05-01T12:00:03Z') });
    expect(view).toMatchObject({ eventId: metadata.eventId, customerId: 'cust-1', sentiment: 'POSITIVE', priority: 'P4', modelName: 'support-triage', modelVersion: '1.0.0', storedAt: '2024-05-01T12:00:03.000Z' });
    expect(view).not.toHaveProperty('metadata');
    expect(view).not.toHaveProperty('model');
  });
});
