import type { SupportMessageEnriched, SupportMessageReceived, SupportTriageResult } from '@spine/schemas';
import { stage, topic } from '@spine/topology';
import { Stage } from '../nest/stage.decorator.js';
import type { EmitFor, InboundFor, InboundMessage } from './types.js';

// A topology of the test's own: the runtime knows no domain, any registry entry types a handler.
const received = topic({ name: 't.received', description: '', key: 'common/entity-key', value: 'support-message-received', retentionDays: 1 });
const enriched = topic({ name: 't.enriched', description: '', key: 'common/entity-key', value: 'support-message-enriched', retentionDays: 1 });
const results = topic({ name: 't.results', description: '', key: 'common/entity-key', value: 'support-triage-result', retentionDays: 1 });
const enrich = stage({ name: 'enrich', description: '', service: 'svc', inputs: [received], outputs: [enriched] });
const twoInputs = stage({ name: 'two', description: '', service: 'svc', inputs: [received, results] });

const metadata = { eventId: '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10', occurredAt: new Date(0), receivedAt: new Date(0), source: 't', correlationId: 'c' };
const message: SupportMessageReceived = { metadata, customerId: 'c', channel: 'CHAT', subject: null, body: 'b', orderAmount: null };
const features: SupportMessageEnriched['features'] = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 1, previousContactAt: null, lifetimeOrderAmount: '0.00' };
const result: SupportTriageResult = {
  metadata, customerId: 'c', sentiment: 'NEUTRAL', sentimentScore: 0, intent: 'OTHER', intentConfidence: 0, priority: 'P4', model: { name: 'm', version: '1', routing: 'CHAMPION' as const, arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null }, inferredAt: new Date(0),
};

class Handlers {
  @Stage(enrich)
  async ok(m: InboundMessage<SupportMessageReceived>) {
    return { topic: enriched, key: m.value.customerId, value: { message: m.value, features } };
  }

  @Stage(enrich)
  async several(m: InboundMessage<SupportMessageReceived>) {
    return [{ topic: enriched, key: m.key, value: { message, features } }];
  }

  @Stage(enrich)
  async nothing(_m: InboundMessage<SupportMessageReceived>): Promise<void> {}

  // @ts-expect-error -- the value is a triage result, not what the enriched topic carries
  @Stage(enrich)
  async wrongValue(_m: InboundMessage<SupportMessageReceived>) {
    return { topic: enriched, key: 'k', value: result };
  }

  // @ts-expect-error -- results is not among the stage's outputs
  @Stage(enrich)
  async undeclaredOutput(_m: InboundMessage<SupportMessageReceived>) {
    return { topic: results, key: 'k', value: result };
  }

  // @ts-expect-error -- the input topic carries SupportMessageReceived, not triage results
  @Stage(enrich)
  async wrongInput(m: InboundMessage<SupportTriageResult>) {
    return { topic: enriched, key: m.key, value: { message, features } };
  }

  @Stage(twoInputs)
  async union(m: InboundMessage<SupportMessageReceived> | InboundMessage<SupportTriageResult>): Promise<void> {
    void m;
  }
}

describe('stage typing (checked by tsc -p tsconfig.spec.json; the @ts-expect-error lines must stay errors)', () => {
  it('derives a handler input and its emits from the registry entry', () => {
    const input: InboundFor<typeof enrich> | undefined = undefined;
    const emit: EmitFor<typeof enrich> = { topic: enriched, key: 'k', value: { message, features } };
    expect(input).toBeUndefined();
    expect(emit.topic.value).toBe('support-message-enriched');
    expect(typeof Handlers.prototype.ok).toBe('function');
  });
});
