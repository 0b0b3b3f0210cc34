import type { Kafka, Producer } from 'kafkajs';
import { redriveMarksTopic } from '@spine/platform';
import type { TopicCodec, TopicCodecs } from '@spine/runtime';
import type { DeadLetterRedriveMark } from '@spine/schemas';
import { readWholeTopic } from './topic-reader.js';

/** A dead letter that was re-driven on its own. */
export type RedrivenLetter = Pick<DeadLetterRedriveMark, 'deadLetterTopic' | 'partition' | 'offset' | 'sourceTopic'>;

/** A marked record of a dead-letter topic, with its mark's key (to clear it). */
export interface MarkedLetter {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer;
}

/** Where a record is on its dead-letter topic: the key of `load`'s map. */
export const letterAt = (partition: number | string, offset: number | string): string => `${partition}/${offset}`;

const keyOf = (deadLetterTopic: string, partition: number, offset: number | string) => `${deadLetterTopic}/${letterAt(partition, offset)}`;

/**
 * Which dead letters were re-driven one by one (the console's "re-drive" of a record or a selection), ahead of their
 * stage's re-drive group, on the compacted `spine.dlq.redriven.v1`. A re-drive of everything reads them first, skips
 * those records instead of sending them twice, and clears their marks (tombstones) as it passes them.
 */
export class RedriveMarks {
  private constructor(
    private readonly kafka: Kafka,
    private readonly codec: TopicCodec,
    private readonly groupPrefix: string,
  ) {}

  static async open(kafka: Kafka, codecs: TopicCodecs): Promise<RedriveMarks> {
    const [codec] = await codecs.resolveAll([redriveMarksTopic]);
    return new RedriveMarks(kafka, codec!, codecs.deployment.prefix);
  }

  /** Records that these letters were re-driven (call once they are on their source topics). */
  async mark(producer: Producer, letters: readonly RedrivenLetter[], actor: string): Promise<void> {
    if (!letters.length) return;
    const redrivenAt = new Date();
    const messages = await Promise.all(
      letters.map(async (letter) => ({
        key: await this.codec.encodeKey(keyOf(letter.deadLetterTopic, letter.partition, letter.offset)),
        value: await this.codec.encodeValue({ ...letter, redrivenAt, actor } satisfies DeadLetterRedriveMark),
      })),
    );
    await producer.send({ topic: this.codec.name, acks: -1, messages });
  }

  /** The marked records of a dead-letter topic, by `letterAt(partition, offset)`. */
  async load(deadLetterTopic: string): Promise<Map<string, MarkedLetter>> {
    return (await this.loadAll()).get(deadLetterTopic) ?? new Map();
  }

  /** Every dead-letter topic's marked records (one read of the marks topic). */
  async loadAll(): Promise<Map<string, Map<string, MarkedLetter>>> {
    const marks = new Map<string, Map<string, MarkedLetter>>();
    await readWholeTopic(this.kafka, this.codec.name, {
      purpose: 'redrive-marks',
      groupPrefix: this.groupPrefix,
      idleMs: 10_000,
      onRecord: async (_partition, message) => {
        if (!message.key) return;
        const match = /^(.+)\/(\d+)\/(\d+)$/.exec(String(await this.codec.decodeKey(message.key)));
        if (!match) return;
        const [, topic, partition, offset] = match as unknown as [string, string, string, string];
        const ofTopic = marks.get(topic) ?? new Map<string, MarkedLetter>();
        marks.set(topic, ofTopic);
        const at = letterAt(partition, offset);
        if (message.value === null) ofTopic.delete(at);
        else ofTopic.set(at, { partition: Number(partition), offset, key: message.key });
      },
    });
    return marks;
  }

  /** Clears marks whose records a re-drive of everything has passed. */
  async clear(producer: Producer, keys: readonly Buffer[]): Promise<void> {
    if (keys.length) await producer.send({ topic: this.codec.name, acks: -1, messages: keys.map((key) => ({ key, value: null })) });
  }
}
