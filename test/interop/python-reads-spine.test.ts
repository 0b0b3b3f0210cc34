import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { SupportTriageResult } from '@spine/schemas';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { interopPython } from './python-env.js';
import { supportTriage } from '@spine/platform';

const { topics } = supportTriage;

/** What Spine writes, a Python consumer reads: plain fastavro + the registry, no Spine code on that side. */
describe('a Python client reads what Spine writes', () => {
  let fx: SpineFixture;
  let python: string;

  beforeAll(async () => {
    python = interopPython();
    fx = await provisionedFixture('pyinterop', 1);
  }, 240_000);

  afterAll(async () => {
    await fx?.close();
  });

  it('decodes an AI result with its logical types, enums and nested records intact', async () => {
    const result: SupportTriageResult = {
      metadata: { eventId: randomUUID(), occurredAt: new Date('2026-11-21T09:15:30.250Z'), receivedAt: new Date('2026-11-21T09:15:31.000Z'), source: 'crm', correlationId: 'corr-7' },
      customerId: 'cust-py',
      sentiment: 'NEGATIVE',
      sentimentScore: -0.625,
      intent: 'REFUND',
      intentConfidence: 0.875,
      priority: 'P2',
      model: { name: 'support-triage', version: '1.0.0', routing: 'CHAMPION' as const, arm: null, revision: 0, cacheHit: false, escalatedFrom: null, confidence: null },
      inferredAt: new Date('2026-11-21T09:15:31.500Z'),
    };
    await fx.producer.publish([{ topic: topics.triageResults, key: result.customerId, value: result }]);
    const [record] = await readRaw(fx.kafka, fx.topology.topics.triageResults.name, 1);

    const output = execFileSync(python, [join(import.meta.dirname, 'read_confluent.py'), process.env.SCHEMA_REGISTRY_URL!], {
      input: record!.value!.toString('hex'),
      encoding: 'utf8',
    });
    const decoded = JSON.parse(output) as { schemaId: number; value: Record<string, any> };
    expect(decoded.schemaId).toBe(record!.value!.readUInt32BE(1));
    expect(decoded.value).toMatchObject({ customerId: 'cust-py', sentiment: 'NEGATIVE', sentimentScore: -0.625, intent: 'REFUND', priority: 'P2', model: { name: 'support-triage', version: '1.0.0' } });
    expect(decoded.value.metadata.eventId).toBe(result.metadata.eventId);
    // fastavro renders timestamp-millis as an aware datetime: same instant.
    expect(new Date(decoded.value.metadata.occurredAt.replace(' ', 'T')).getTime()).toBe(result.metadata.occurredAt.getTime());
  });

  it('decodes decimals exactly', async () => {
    const message = {
      metadata: { eventId: randomUUID(), occurredAt: new Date(), receivedAt: new Date(), source: 'crm', correlationId: 'c' },
      customerId: 'cust-dec',
      channel: 'CHAT' as const,
      subject: null,
      body: 'refund please',
      orderAmount: '-9876543.21',
    };
    await fx.producer.publish([{ topic: topics.supportMessages, key: message.customerId, value: message }]);
    const [record] = await readRaw(fx.kafka, fx.topology.topics.supportMessages.name, 1);
    const output = execFileSync(python, [join(import.meta.dirname, 'read_confluent.py'), process.env.SCHEMA_REGISTRY_URL!], { input: record!.value!.toString('hex'), encoding: 'utf8' });
    const decoded = JSON.parse(output) as { value: { orderAmount: string; channel: string; subject: null } };
    expect(decoded.value.orderAmount).toBe('-9876543.21');
    expect(decoded.value.channel).toBe('CHAT');
    expect(decoded.value.subject).toBeNull();
  });
});
