import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PermanentError, SpineMetrics, StageRunner, type StageHandler } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';

const cli = join(import.meta.dirname, '..', '..', 'apps', 'cli', 'dist', 'main.js');

/** The operator commands, run as real processes against the real broker: re-drive dead letters, replay a stage. */
describe('operations: redrive and replay', () => {
  let fx: SpineFixture;
  let runner: StageRunner | undefined;

  beforeAll(async () => {
    fx = await provisionedFixture('ops', 2);
  });

  afterAll(async () => {
    await runner?.stop();
    await fx.close();
  });

  const spineCli = (...args: string[]) =>
    execFileSync(process.execPath, [cli, ...args], { env: { ...process.env, SPINE_TOPIC_PREFIX: fx.prefix, NODE_OPTIONS: '' }, encoding: 'utf8', stdio: 'pipe' });

  async function startEnrichment(handler: StageHandler<SupportMessageReceived>): Promise<void> {
    runner = new StageRunner(
      { name: 'enrichment', input: 'supportMessages', outputs: ['enrichedMessages'], deadLetter: 'enrichmentDeadLetters', maxAttempts: 1 },
      handler,
      { kafka: fx.kafka, codecs: fx.codecs, producer: fx.producer, metrics: new SpineMetrics(), topicPrefix: fx.prefix, log: () => undefined },
      { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, partitionsConsumedConcurrently: 2, maxBacklogPerPartition: 64, fetchMinBytes: 1, fetchMaxWaitMs: 100 },
    );
    await runner.start();
  }

  it('re-drives a dead letter to its source topic, bytes and headers intact, where the fixed stage processes it', async () => {
    let broken = true;
    const handled: string[] = [];
    await startEnrichment(async (m) => {
      if (broken) throw new PermanentError('model artifact missing');
      handled.push(m.value.metadata.eventId);
      return { topic: 'enrichedMessages', key: m.value.customerId, value: { message: m.value, features: { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 1, previousContactAt: null, lifetimeOrderAmount: '0.00' } } };
    });
    const eventId = randomUUID();
    const value: SupportMessageReceived = {
      metadata: { eventId, occurredAt: new Date(), receivedAt: new Date(), source: 'ops', correlationId: 'corr-ops' },
      customerId: 'cust-ops', channel: 'EMAIL', subject: null, body: 'please help', orderAmount: null,
    };
    await fx.producer.publish([{ topic: 'supportMessages', key: 'cust-ops', value, headers: { 'x-tenant': 'acme' } }]);
    const [dead] = await readRaw(fx.kafka, fx.topology.topics.enrichmentDeadLetters.name, 1);
    expect(dead!.headers['spine.dlq.error.message']).toBe('model artifact missing');

    broken = false; // the fix is deployed
    spineCli('redrive', '--stage', 'enrichment', '--idle-ms', '2000');
    const [redriven] = (await readRaw(fx.kafka, fx.topology.topics.supportMessages.name, 2)).slice(1);
    expect(redriven!.value).toEqual(dead!.value);
    expect(redriven!.headers['x-tenant']).toBe('acme');
    expect(Object.keys(redriven!.headers).filter((h) => h.startsWith('spine.dlq.'))).toEqual([]);
    await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1);
    expect(handled).toEqual([eventId]);

    // Re-driving again moves nothing: progress is kept by the redrive consumer group.
    spineCli('redrive', '--stage', 'enrichment', '--idle-ms', '2000');
    const offsets = await fx.admin.fetchTopicOffsets(fx.topology.topics.supportMessages.name);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(2);
  });

  it('replays a stopped stage from the earliest offset, and refuses while the stage is running', async () => {
    expect(() => spineCli('replay', '--stage', 'enrichment', '--from', 'earliest')).toThrow(/active member/);
    await runner!.stop();
    runner = undefined;
    spineCli('replay', '--stage', 'enrichment', '--from', 'earliest');
    const seen: string[] = [];
    await startEnrichment(async (m) => {
      seen.push(m.value.metadata.eventId);
    });
    const deadline = Date.now() + 30_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(2); // the original record and its re-driven copy, consumed again from the start
  });
});
