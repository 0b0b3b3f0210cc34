import type { InboundMessage } from '@spine/runtime';
import type { SupportTriageResult } from '@spine/schemas';
import { toResultRow } from './to-result-row.js';

describe('toResultRow', () => {
  it('flattens the result and records where it was read from', () => {
    const metadata = {
      eventId: '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10',
      occurredAt: new Date('2024-05-01T12:00:00Z'),
      receivedAt: new Date('2024-05-01T12:00:01Z'),
      source: 'crm',
      correlationId: 'corr-1',
    };
    const inferredAt = new Date('2024-05-01T12:00:02Z');
    const value: SupportTriageResult = {
      metadata,
      customerId: 'cust-1',
      sentiment: 'POSITIVE',
      sentimentScore: 0.4,
      intent: 'FEEDBACK',
      intentConfidence: 0.7,
      priority: 'P4',
      model: { name: 'support-triage', version: '1.0.0' },
      inferredAt,
    };
    const message: InboundMessage<SupportTriageResult> = {
      key: 'cust-1',
      value,
      headers: {},
      topic: 'spine.ai.support-triage.v1',
      partition: 4,
      offset: '9007199254740993',
      timestamp: '0',
      correlationId: 'corr-1',
      attempt: 1,
    };
    expect(toResultRow(message, 'abc123')).toEqual({
      eventId: metadata.eventId,
      customerId: 'cust-1',
      correlationId: 'corr-1',
      sentiment: 'POSITIVE',
      sentimentScore: 0.4,
      intent: 'FEEDBACK',
      intentConfidence: 0.7,
      priority: 'P4',
      modelName: 'support-triage',
      modelVersion: '1.0.0',
      occurredAt: metadata.occurredAt,
      receivedAt: metadata.receivedAt,
      inferredAt,
      traceId: 'abc123',
      sourceTopic: 'spine.ai.support-triage.v1',
      sourcePartition: 4,
      sourceOffset: '9007199254740993',
    });
  });
});
