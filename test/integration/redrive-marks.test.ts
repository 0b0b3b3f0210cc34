import { randomUUID } from 'node:crypto';
import { DeadLetterIndex, RecordDecoder, RedriveMarks, redriveMessages } from '@spine/operations';
import { supportTriage } from '@spine/platform';
import { PermanentError, type StageRunner } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { cliOk } from '../harness/cli.js';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage } from '../harness/stage.js';

const { topics, stages } = supportTriage;

/** A dead letter re-driven on its own (the console's selection) is not re-driven again by `spine redrive`. */
describe('re-drive marks: one record re-driven, then all', () => {
  let fx: SpineFixture;
  let runner: StageRunner | undefined;

  beforeAll(async () => {
    fx = await provisionedFixture('marks', 1);
  });

  afterAll(async () => {
    await runner?.stop();
    await fx.close();
  });

  const spineCli = (...args: string[]) => cliOk(args, { ...process.env, SPINE_TOPIC_PREFIX: fx.prefix, SPINE_TOPIC_PARTITIONS: '1' });
  const notRedriven = async () => (JSON.parse((await spineCli('dlq', 'list', 'enrichment', '--json')).stdout) as { count: number; pending: number });
  const sourceCount = async () => (await fx.admin.fetchTopicOffsets(fx.topology.topics.supportMessages.name)).reduce((sum, p) => sum + Number(p.high), 0);

  it('skips the records re-driven on their own, sends the others once, and clears the marks it passed', async () => {
    runner = await startStage<SupportMessageReceived>(fx, { ...stages.enrichment, maxAttempts: 1 }, async () => {
      throw new PermanentError('model artifact missing');
    });
    const values = ['first', 'second', 'third'].map((body): SupportMessageReceived => ({
      metadata: { eventId: randomUUID(), occurredAt: new Date(), receivedAt: new Date(), source: 'marks', correlationId: `corr-${body}` },
      customerId: `cust-${body}`, channel: 'EMAIL', subject: null, body, orderAmount: null,
    }));
    for (const value of values) await fx.producer.publish([{ topic: topics.supportMessages, key: value.customerId, value }]);
    const deadLetterTopic = fx.topology.topics.enrichmentDeadLetters.name;
    const dead = await readRaw(fx.kafka, deadLetterTopic, 3);
    await runner.stop();
    runner = undefined;

    // The console re-drives the second one alone, and marks it.
    const marks = await RedriveMarks.open(fx.kafka, fx.codecs);
    const producer = fx.kafka.producer();
    await producer.connect();
    const selected = await redriveMessages(producer, deadLetterTopic, [{ partition: 0, message: { ...dead[1]!, headers: dead[1]!.headers } }], { marks, actor: 'test-operator' });
    await producer.disconnect();
    expect(selected.moved).toBe(1);
    expect([...(await marks.load(deadLetterTopic)).keys()]).toEqual([`0/${dead[1]!.offset}`]);
    expect(await sourceCount()).toBe(4);
    expect(await notRedriven()).toMatchObject({ count: 3, pending: 2 });
    // A console that starts now (another replica, or this one restarted) shows it as re-driven too.
    const target = { kafka: fx.kafka, deployment: fx.topology.deployment, topics: [...fx.topology.all.map((t) => t.spec)] };
    const index = new DeadLetterIndex(target, [stages.enrichment], { ...target, catalog: fx.catalog, decoder: new RecordDecoder(fx.registry) }, { marks: async () => marks });
    await index.start();
    try {
      for (let i = 0; i < 100 && index.summaries()[0]!.count < 3; i++) await new Promise((r) => setTimeout(r, 100));
      expect(index.summaries()[0]).toMatchObject({ count: 3, pending: 2 });
      expect(dead.map((d) => index.isRedriven({ stage: stages.enrichment.name, partition: 0, offset: d.offset }))).toEqual([false, true, false]);
    } finally {
      await index.stop();
    }

    const all = await spineCli('redrive', '--stage', 'enrichment', '--idle-ms', '2000');
    expect(all.stderr).toMatch(/re-driven 2 record\(s\) from \S+; skipped 1 re-driven on their own before/);
    expect(await sourceCount()).toBe(6); // not 7: the second one went back once
    const source = await readRaw(fx.kafka, fx.topology.topics.supportMessages.name, 6);
    const decode = (value: Buffer | null) => fx.codecs.get(topics.supportMessages).decodeValue<SupportMessageReceived>(value);
    const redriven = await Promise.all(source.slice(3).map((r) => decode(r.value)));
    expect(redriven.map((v) => v.body)).toEqual(['second', 'first', 'third']);
    expect(await marks.load(deadLetterTopic)).toEqual(new Map()); // cleared once the group passed it
    expect(await notRedriven()).toMatchObject({ count: 3, pending: 0 });

    await spineCli('redrive', '--stage', 'enrichment', '--idle-ms', '2000');
    expect(await sourceCount()).toBe(6);
  });
});
