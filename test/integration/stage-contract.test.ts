import { randomUUID } from 'node:crypto';
import { supportTriage } from '@spine/platform';
import { DLQ_HEADERS, type StageMiddleware, type StageRunner } from '@spine/runtime';
import type { SupportMessageEnriched, SupportMessageReceived } from '@spine/schemas';
import { provision, resolveTopic, stage, topic, type StageSpec } from '@spine/topology';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage } from '../harness/stage.js';
import { enrichedEmit, supportMessage } from '../harness/support-records.js';

const { topics } = supportTriage;

/** An output topic the broker caps at 2 KiB per record, to get a record it refuses for good. */
const smallOutput = topic({
  name: 'spine.test.small-output.v1',
  description: 'test: records over 2 KiB are refused',
  key: 'common/entity-key',
  value: 'support-message-enriched',
  retentionDays: 1,
  config: { 'max.message.bytes': '2048' },
});

/** What the middleware, deadline and failure contracts of a stage promise, on the real broker. */
describe('stage contract: middlewares, deadlines, failures', () => {
  let fx: SpineFixture;
  const runners: StageRunner[] = [];

  beforeEach(async () => {
    fx = await provisionedFixture('contract', 2);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await fx.close();
  });

  /** A probe stage of the test's own, with its topics provisioned under the fixture's prefix. */
  async function probe(options: Partial<Parameters<typeof stage>[0]> = {}): Promise<StageSpec> {
    const spec = stage({ name: `probe-${randomUUID().slice(0, 8)}`, description: 'test probe', service: 'test', inputs: [topics.supportMessages], outputs: [topics.enrichedMessages, smallOutput], maxAttempts: 2, ...options });
    const extra = [spec.deadLetter, smallOutput].map((t) => resolveTopic(t, fx.topology.deployment));
    await provision(extra, { admin: fx.admin, registry: fx.registry, catalog: fx.catalog });
    return spec;
  }

  const message = (customerId: string, body: string) => supportMessage(customerId, body, 'contract');
  const enriched = (value: SupportMessageReceived, to: typeof topics.enrichedMessages | typeof smallOutput = topics.enrichedMessages) => enrichedEmit(value, to);

  it('runs app middlewares around the handler in order (service-wide, then the stage\'s), and lets one answer without the handler', async () => {
    const order: string[] = [];
    const around =
      (name: string): StageMiddleware =>
      async (context, next) => {
        order.push(`${name}>`);
        const emits = await next();
        order.push(`<${name}`);
        return emits;
      };
    const cache: StageMiddleware = async (context, next) => {
      const value = context.message!.value as SupportMessageReceived;
      if (value.body !== 'cached') return next();
      order.push('cache hit');
      return [{ ...enriched(value), headers: { 'x-cache': 'hit' } }];
    };
    const spec = await probe();
    runners.push(
      await startStage<SupportMessageReceived>(
        fx,
        spec,
        async (m) => {
          order.push(`handler ${m.value.body}`);
          return enriched(m.value);
        },
        { middlewares: [around('service'), around('stage'), cache] },
      ),
    );
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'same-key', value: message('same-key', 'computed') }]);
    await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1);
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'same-key', value: message('same-key', 'cached') }]);
    const out = await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 2);
    expect(order).toEqual(['service>', 'stage>', 'handler computed', '<stage', '<service', 'service>', 'stage>', 'cache hit', '<stage', '<service']);
    expect(out.map((r) => r.headers['x-cache'] ?? 'computed')).toEqual(['computed', 'hit']);
  });

  it('aborts the handler\'s signal at the deadline, counts it as a failed attempt, retries, then dead-letters', async () => {
    const aborted: number[] = [];
    const spec = await probe({ deadlineMs: 300, maxAttempts: 2 });
    runners.push(
      await startStage<SupportMessageReceived>(fx, spec, async (m) => {
        if (m.value.body !== 'hangs') return enriched(m.value);
        // A model call that never answers, but honours its signal.
        await new Promise((_, reject) => m.signal.addEventListener('abort', () => {
          aborted.push(m.attempt);
          reject(m.signal.reason as Error);
        }));
      }),
    );
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'k1', value: message('k1', 'hangs') }]);
    const [dead] = await readRaw(fx.kafka, resolveTopic(spec.deadLetter, fx.topology.deployment).name, 1);
    expect(aborted).toEqual([1, 2]);
    expect(dead!.headers[DLQ_HEADERS.errorClass]).toBe('DeadlineExceededError');
    expect(dead!.headers[DLQ_HEADERS.errorMessage]).toMatch(/deadline of 300 ms/);
    expect(dead!.headers[DLQ_HEADERS.attempts]).toBe('2');
    await fx.producer.publish([{ topic: topics.supportMessages, key: 'k1', value: message('k1', 'fine') }]);
    expect(await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1)).toHaveLength(1);
  });

  it('dead-letters a record too large for its output topic, with the sizes as cause, and the partition moves on', async () => {
    const spec = await probe({ maxAttempts: 4 });
    const attempts: number[] = [];
    runners.push(
      await startStage<SupportMessageReceived>(fx, spec, async (m) => {
        attempts.push(m.attempt);
        return enriched(m.value, smallOutput);
      }),
    );
    const huge = message('k2', 'x'.repeat(10_000));
    const small = message('k2', 'small enough');
    await fx.producer.publish([
      { topic: topics.supportMessages, key: 'k2', value: huge },
      { topic: topics.supportMessages, key: 'k2', value: small },
    ]);
    const [dead] = await readRaw(fx.kafka, resolveTopic(spec.deadLetter, fx.topology.deployment).name, 1);
    expect(dead!.headers[DLQ_HEADERS.errorClass]).toBe('RecordTooLargeError');
    expect(dead!.headers[DLQ_HEADERS.errorMessage]).toMatch(/^a record of about \d+ bytes is larger than \S+small-output\.v1 accepts \(max\.message\.bytes 2048\)/);
    expect(dead!.headers[DLQ_HEADERS.attempts]).toBe('1'); // not retried: it can never fit
    const [passed] = await readRaw(fx.kafka, resolveTopic(smallOutput, fx.topology.deployment).name, 1);
    const decoded = await fx.codecs.get(smallOutput).decodeValue<SupportMessageEnriched>(passed!.value);
    expect(decoded.message.metadata.eventId).toBe(small.metadata.eventId); // the same key's next record went through
  });

  it('dead-letters a record as large as its source topic accepts, bytes intact, and the partition moves on', async () => {
    const spec = await probe();
    runners.push(await startStage<SupportMessageReceived>(fx, spec, async (m) => enriched(m.value)));
    // Just under the broker's default limit on the source topic; the cause headers take the dead letter over it.
    const undecodable = Buffer.alloc(1_048_400, 7);
    const next = message('k4', 'after the big one');
    const codec = fx.codecs.get(topics.supportMessages);
    const key = await codec.encodeKey('k4');
    const producer = fx.kafka.producer();
    await producer.connect();
    await producer.send({ topic: codec.name, messages: [{ key, value: undecodable, partition: 0 }] });
    await producer.send({ topic: codec.name, messages: [{ key, value: await codec.encodeValue(next), partition: 0 }] });
    await producer.disconnect();
    const [dead] = await readRaw(fx.kafka, resolveTopic(spec.deadLetter, fx.topology.deployment).name, 1);
    expect(dead!.headers[DLQ_HEADERS.errorMessage]).toMatch(/^value could not be decoded: /);
    expect(dead!.value!.equals(undecodable)).toBe(true);
    const [passed] = await readRaw(fx.kafka, fx.topology.topics.enrichedMessages.name, 1);
    const decoded = await fx.codecs.get(topics.enrichedMessages).decodeValue<SupportMessageEnriched>(passed!.value);
    expect(decoded.message.metadata.eventId).toBe(next.metadata.eventId);
  });

  it('names the key when the key is what cannot be decoded', async () => {
    const spec = await probe();
    runners.push(await startStage<SupportMessageReceived>(fx, spec, async (m) => enriched(m.value)));
    const goodValue = await fx.codecs.get(topics.supportMessages).encodeValue(message('k3', 'valid value, garbage key'));
    const producer = fx.kafka.producer();
    await producer.connect();
    await producer.send({ topic: fx.topology.topics.supportMessages.name, messages: [{ key: 'garbage-key', value: goodValue }] });
    await producer.disconnect();
    const [dead] = await readRaw(fx.kafka, resolveTopic(spec.deadLetter, fx.topology.deployment).name, 1);
    expect(dead!.headers[DLQ_HEADERS.errorMessage]).toMatch(/^key could not be decoded: /);
    expect(dead!.headers[DLQ_HEADERS.errorMessage]).not.toMatch(/^value/);
    expect(dead!.key!.toString()).toBe('garbage-key');
  });
});
