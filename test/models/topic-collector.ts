import type { Consumer } from 'kafkajs';
import type { SpineFixture } from '../harness/spine-fixture.js';
import type { TopicSpec } from '@spine/topology';

/** Reads a topic of the fixture from the beginning for the whole test, decoding each record's value. */
export class TopicCollector<V> {
  readonly values: V[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly fx: SpineFixture, private readonly spec: TopicSpec) {}

  async start(): Promise<this> {
    const codec = await this.fx.codecs.resolve(this.spec);
    this.consumer = this.fx.kafka.consumer({ groupId: `collector-${codec.name}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: codec.name, fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message }) => void this.values.push(await codec.decodeValue<V>(message.value)) });
    return this;
  }

  /** Waits until `predicate` holds over what was read (fails after timeoutMs, saying how many records were read). */
  async until(predicate: (values: V[]) => boolean, timeoutMs = 30_000, what = 'the expected records'): Promise<V[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.values)) {
      if (Date.now() > deadline) throw new Error(`${what} not on ${this.spec.name} within ${timeoutMs} ms (${this.values.length} records read)`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.values;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
