import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { SpanKind, context, inSpan, injectTraceContext } from '@spine/telemetry';
import type { Emit, TopicKey } from '../stage/types.js';
import type { TopicCodecs } from './topic-codecs.js';

export interface Published {
  readonly topic: string;
  readonly partition: number | null;
  readonly offset: string | null;
}

/**
 * The process's single idempotent producer. Every send waits for acks from all in-sync replicas, so a
 * resolved publish means the records are durable; stages commit input offsets only after that.
 */
export class SpineProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly codecs: TopicCodecs,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
  }

  async disconnect(): Promise<void> {
    if (this.connected) {
      this.connected = false;
      await this.producer.disconnect();
    }
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Encodes (validating against the topic's schema) and produces; resolves with where each record landed, in order. */
  async publish(emits: readonly Emit[]): Promise<Published[]> {
    if (!emits.length) return [];
    // A producer span per publish: at ingestion it starts the trace that every later stage continues.
    return inSpan('spine publish', SpanKind.PRODUCER, { 'messaging.system': 'kafka', 'messaging.batch.message_count': emits.length }, context.active(), async () => {
      const encoded = await Promise.all(emits.map((emit) => this.encode(emit)));
      return this.sendRaw(encoded.map(({ topic, message }) => ({ topic, message })));
    });
  }

  /** Produces already-encoded records (dead letters, replays); same durability as publish. */
  async sendRaw(records: ReadonlyArray<{ topic: string; message: Message }>): Promise<Published[]> {
    if (!records.length) return [];
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of records) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    const metadata = await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    return assignOffsets(records, metadata);
  }

  private async encode(emit: Emit): Promise<{ topic: string; message: Message }> {
    const codec = this.codecs.get(emit.topic as TopicKey);
    const headers = injectTraceContext({ ...(emit.headers ?? {}) });
    const [key, value] = await Promise.all([codec.encodeKey(emit.key), codec.encodeValue(emit.value)]);
    return { topic: codec.name, message: { key, value, headers } };
  }
}

/**
 * kafkajs reports one base offset per topic-partition, not each record's partition. Where a topic's
 * records all went to one partition (always true for a single record) offsets are consecutive from the
 * base, so each record's position is exact; otherwise it is reported as unknown rather than guessed.
 */
function assignOffsets(records: ReadonlyArray<{ topic: string }>, metadata: RecordMetadata[]): Published[] {
  const cursor = new Map<string, bigint>();
  return records.map(({ topic }) => {
    const partitions = metadata.filter((m) => m.topicName === topic);
    const only = partitions.length === 1 ? partitions[0] : undefined;
    if (!only) return { topic, partition: null, offset: null };
    const offset = cursor.get(topic) ?? BigInt(only.baseOffset ?? only.offset ?? '0');
    cursor.set(topic, offset + 1n);
    return { topic, partition: only.partition, offset: offset.toString() };
  });
}
