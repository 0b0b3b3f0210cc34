import { execFile } from 'node:child_process';
import { spinePlatform } from '@spine/platform';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { supportTriage } from '@spine/platform';
import { PermanentError, type StageRunner } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage, type TestHandler } from '../harness/stage.js';

const { topics, stages } = supportTriage;

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

  /**
   * Runs the CLI as a real process, asynchronously: a synchronous child would block this process's event
   * loop, and with it the heartbeats of the stage running here (which would then be evicted from its group).
   */
  const spineCliResult = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, ...args], { env: { ...process.env, SPINE_TOPIC_PREFIX: fx.prefix, NODE_OPTIONS: '' }, encoding: 'utf8' }, (error, stdout, stderr) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  /** Runs the CLI; resolves with its stdout, rejects with its stderr when it fails. */
  const spineCli = async (...args: string[]): Promise<string> => {
    const result = await spineCliResult(...args);
    if (result.status !== 0) throw new Error(`spine-cli ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  };

  async function startEnrichment(handler: TestHandler<SupportMessageReceived>): Promise<void> {
    runner = await startStage(fx, { ...stages.enrichment, maxAttempts: 1 }, handler, { tuning: { partitionsConsumedConcurrently: 2 } });
  }

  it('re-drives a dead letter to its source topic, bytes and headers intact, where the fixed stage processes it', async () => {
    let broken = true;
    const handled: string[] = [];
    await startEnrichment(async (m) => {
      if (broken) throw new PermanentError('model artifact missing');
      handled.push(m.value.metadata.eventId);
      return { topic: topics.enrichedMessages, key: m.value.customerId, value: { message: m.value, features: { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 1, previousContactAt: null, lifetimeOrderAmount: '0.00' } } };
    });
    const eventId = randomUUID();
    const value: SupportMessageReceived = {
      metadata: { eventId, occurredAt: new Date(), receivedAt: new Date(), source: 'ops', correlationId: 'corr-ops' },
      customerId: 'cust-ops', channel: 'EMAIL', subject: null, body: 'please help', orderAmount: null,
    };
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'cust-ops', value, headers: { 'x-tenant': 'acme' } }]);
    const [dead] = await readRaw(fx.kafka, fx.topology.topics.enrichmentDeadLetters.name, 1);
    expect(dead!.headers['spine.dlq.error.message']).toBe('model artifact missing');

    broken = false; // the fix is deployed
    await spineCli('redrive', '--stage', 'enrichment', '--idle-ms', '2000');
    const [redriven] = (await readRaw(fx.kafka, fx.topology.topics.supportMessages.name, 2)).slice(1);
    expect(redriven!.value).toEqual(dead!.value);
    expect(redriven!.headers['x-tenant']).toBe('acme');
    expect(Object.keys(redriven!.headers).filter((h) => h.startsWith('spine.dlq.'))).toEqual([]);
    await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1);
    expect(handled).toEqual([eventId]);

    // Re-driving again moves nothing: progress is kept by the redrive consumer group.
    await spineCli('redrive', '--stage', 'enrichment', '--idle-ms', '2000');
    const offsets = await fx.admin.fetchTopicOffsets(fx.topology.topics.supportMessages.name);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(2);
  });

  it('replays a stopped stage from the earliest offset, and refuses while the stage is running', async () => {
    await expect(spineCli('replay', '--stage', 'enrichment', '--from', 'earliest')).rejects.toThrow(/active member/);
    await runner!.stop();
    runner = undefined;
    await spineCli('replay', '--stage', 'enrichment', '--from', 'earliest');
    const seen: string[] = [];
    await startEnrichment(async (m) => {
      seen.push(m.value.metadata.eventId);
    });
    const deadline = Date.now() + 30_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(2); // the original record and its re-driven copy, consumed again from the start
  });

  it('accepts every registered stage and refuses an unknown one, listing the registered stages', async () => {
    for (const command of [['replay', '--from', 'earliest'], ['redrive'], ['lag']]) {
      const refused = await spineCliResult(command[0]!, '--stage', 'no-such-stage', ...command.slice(1));
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('unknown stage "no-such-stage"');
      for (const stage of spinePlatform.stages) expect(refused.stderr).toContain(stage.name);
    }
    const lag = JSON.parse(await spineCli('lag', '--json')) as Array<{ stage: string; group: string }>;
    expect(lag.map((l) => l.stage).sort()).toEqual(spinePlatform.stages.map((s) => s.name).sort());
    expect(lag.find((l) => l.stage === 'enrichment')!.group).toBe(`${fx.prefix}spine.enrichment`);
  });

  it('reports lag per partition as the broker has it, and replays a stopped stage from a point in time', async () => {
    await runner?.stop();
    runner = undefined;
    const topic = fx.topology.topics.supportMessages.name;
    const group = `${fx.prefix}spine.enrichment`;
    const brokerLag = async () => {
      const [ends, committed] = await Promise.all([fx.admin.fetchTopicOffsets(topic), fx.admin.fetchOffsets({ groupId: group, topics: [topic] })]);
      return ends.reduce((sum, end) => {
        const done = committed[0]!.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        return sum + Number(BigInt(end.high) - BigInt(done === '-1' ? end.low : done));
      }, 0);
    };
    const lagBefore = await brokerLag();
    // Three records nobody reads: the group is stopped.
    const value = (body: string): SupportMessageReceived => ({
      metadata: { eventId: randomUUID(), occurredAt: new Date(), receivedAt: new Date(), source: 'ops', correlationId: randomUUID() },
      customerId: 'cust-time', channel: 'CHAT', subject: null, body, orderAmount: null,
    });
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'cust-time', value: value('before') }]);
    await new Promise((r) => setTimeout(r, 1_500));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1_500));
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'cust-time', value: value('after 1') }, { topic: topics.supportMessages, key: 'cust-time', value: value('after 2') }]);

    const lag = await brokerLag();
    const [enrichmentLag] = JSON.parse(await spineCli('lag', '--stage', 'enrichment', '--json')) as Array<{ lag: number; partitions: Array<{ lag: number }> }>;
    expect(lag).toBe(lagBefore + 3);
    expect(enrichmentLag!.lag).toBe(lag);
    expect(enrichmentLag!.partitions.reduce((sum, p) => sum + p.lag, 0)).toBe(lag);

    await spineCli('replay', '--stage', 'enrichment', '--from', between);
    const seen: string[] = [];
    await startEnrichment(async (m) => {
      seen.push(m.value.body);
    });
    const deadline = Date.now() + 30_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1_000)); // nothing older may follow
    expect(seen.sort()).toEqual(['after 1', 'after 2']);
  });
});
