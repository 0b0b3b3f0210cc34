import type { ModelInfo, SupportMessageEnriched } from '@spine/schemas';
import { inferenceDelayMs } from './config.js';
import { toTriageInput, toTriageResult, type TriageAnswer } from './triage-mapping.js';

const metadata = {
  eventId: '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10',
  occurredAt: new Date('2024-05-01T12:00:00Z'),
  receivedAt: new Date('2024-05-01T12:00:01Z'),
  source: 'crm',
  correlationId: 'corr-1',
};
const enriched: SupportMessageEnriched = {
  message: { metadata, customerId: 'cust-1', channel: 'CHAT', subject: 'Refund', body: 'Charged twice!', orderAmount: null },
  features: { messagesTotal: 3, messagesLast24h: 2, avgBodyLength: 20.5, previousContactAt: null, lifetimeOrderAmount: '1234.50' },
};

describe('toTriageInput', () => {
  it('reads the text, subject and numeric features', () => {
    expect(toTriageInput(enriched)).toEqual({
      text: 'Charged twice!',
      subject: 'Refund',
      features: { messagesTotal: 3, messagesLast24h: 2, avgBodyLength: 20.5, lifetimeOrderAmount: 1234.5 },
    });
  });
});

describe('toTriageResult', () => {
  it('passes the metadata through and adds the model (with its routing) and time', () => {
    const output: TriageAnswer = {
      sentiment: 'NEGATIVE',
      sentimentScore: -0.6,
      intent: 'REFUND',
      intentConfidence: 0.9,
      priority: 'P1',
    };
    const model: ModelInfo = { name: 'support-triage', version: '1.0.0', routing: 'CANARY', arm: '1.0.0', revision: 3, cacheHit: false, escalatedFrom: null, confidence: 0.9 };
    const inferredAt = new Date('2024-05-01T12:00:02Z');
    expect(toTriageResult(enriched, output, model, inferredAt)).toEqual({
      metadata,
      customerId: 'cust-1',
      sentiment: 'NEGATIVE',
      sentimentScore: -0.6,
      intent: 'REFUND',
      intentConfidence: 0.9,
      priority: 'P1',
      model,
      inferredAt,
    });
  });
});

describe('inferenceDelayMs', () => {
  it('defaults to 0 and reads whole milliseconds', () => {
    expect(inferenceDelayMs({})).toBe(0);
    expect(inferenceDelayMs({ SPINE_INFERENCE_DELAY_MS: '250' })).toBe(250);
  });

  it.each(['-1', '1.5', 'soon'])('refuses %j', (raw) => {
    expect(() => inferenceDelayMs({ SPINE_INFERENCE_DELAY_MS: raw })).toThrow(/SPINE_INFERENCE_DELAY_MS/);
  });
});
