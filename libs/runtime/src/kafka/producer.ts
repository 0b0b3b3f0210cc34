import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { SpanKind, context, inSpan, injectTraceContext, tracingEnabled } from '@spine/telemetry';
import { classifyFailure } from '../stage/failures.js';
import type { Emit } from '../stage/types.js';
import type { KeyPartitioner } from './partitioner.js';
import type { TopicCodecs } from './topic-codecs.js';

export interface Published {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

interface OutgoingRecord {
  readonly topic: string;
  readonly message: Message & { partition: number };
}

interface Pending {
  readonly records: readonly OutgoingRecord[];
  resolve(published: Published[]): void;
  reject(error: unknown): void;
}

export interface SendOptions {
  /** Aborted: records not yet sent are withdrawn and the publish rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Most records one coalesced send carries; beyond it the rest waits for the next send. */
const MAX_RECORDS_PER_SEND = 2_000;

/**
 * The process's single idempotent producer. Every send waits for acks from all in-sync replicas, so a
 * resolved publish means the records are durable; stages commit input offsets only after that.
 * Concurrent publishes are coalesced ("group commit"): while one send is in flight, new records queue and
 * leave together in the next, so many small publishes cost few round trips without any added linger.
 */
export class SpineProducer {
  private readonly producer: Producer;
  private connected = false;
  private readonly queue: Pending[] = [];
  private sending = false;

  constructor(
    kafka: Kafka,
    private readonly codecs: TopicCodecs,
    private readonly partitioner: KeyPartitioner,
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
  async publish(emits: readonly Emit[], options: SendOptions = {}): Promise<Published[]> {
    if (!emits.length) return [];
    if (!tracingEnabled()) return this.sendRaw(await Promise.all(emits.map((emit) => this.encode(emit))), options);
    // A producer span per publish: at ingestion it starts the trace that every later stage continues.
    return inSpan('spine publish', SpanKind.PRODUCER, { 'messaging.system': 'kafka', 'messaging.batch.message_count': emits.length }, context.active(), async () => {
      const encoded = await Promise.all(emits.map((emit) => this.encode(emit)));
      return this.sendRaw(encoded, options);
    });
  }

  /** Produces already-encoded records (dead letters, replays); same durability and partitioning as publish. */
  sendRaw(records: ReadonlyArray<{ topic: string; message: Message }>, options: SendOptions = {}): Promise<Published[]> {
    if (!records.length) return Promise.resolve([]);
    const partitioned = records.map(({ topic, message }) => ({
      topic,
      message: { ...message, partition: message.partition ?? this.partitioner.partition(topic, toBuffer(message.key)) },
    }));
    return new Promise((resolve, reject) => {
      const pending: Pending = { records: partitioned, resolve, reject };
      if (options.signal && withdrawOnAbort(this.queue, pending, options.signal)) return;
      this.queue.push(pending);
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length) {
        const batch: Pending[] = [];
        let size = 0;
        while (this.queue.length && (batch.length === 0 || size + this.queue[0]!.records.length <= MAX_RECORDS_PER_SEND)) {
          const next = this.queue.shift()!;
          batch.push(next);
          size += next.records.length;
        }
        await this.send(batch);
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      for (const { topic, message } of p.records) {
        const messages = byTopic.get(topic);
        if (messages) messages.push(message);
        else byTopic.set(topic, [message]);
      }
    }
    let metadata: RecordMetadata[];
    try {
      metadata = await this.producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      // A record the broker refuses for good (too large, invalid) must fail only its own publish, not the
      // others that happened to share the coalesced send: send each publish on its own to find it.
      if (batch.length > 1 && classifyFailure(error) === 'permanent') {
        for (const p of batch) await this.send([p]);
      } else {
        for (const p of batch) p.reject(error);
      }
      return;
    }
    // Records of one partition take consecutive offsets from its base offset, in send order.
    const next = new Map<string, bigint>();
    for (const m of metadata) next.set(`${m.topicName}:${m.partition}`, BigInt(m.baseOffset ?? m.offset ?? '0'));
    for (const p of batch) {
      p.resolve(
        p.records.map(({ topic, message }) => {
          const slot = `${topic}:${message.partition}`;
          const offset = next.get(slot) ?? -1n;
          next.set(slot, offset + 1n);
          return { topic, partition: message.partition, offset: offset.toString() };
        }),
      );
    }
  }

  private async encode(emit: Emit): Promise<{ topic: string; message: Message }> {
    const codec = await this.codecs.resolve(emit.topic);
    await this.partitioner.ensure([codec.name]);
    const headers = tracingEnabled() ? injectTraceContext({ ...(emit.headers ?? {}) }) : (emit.headers ?? {});
    const [key, value] = await Promise.all([codec.encodeKey(emit.key), codec.encodeValue(emit.value)]);
    return { topic: codec.name, message: { key, value, headers } };
  }
}

/** Aborting a publish withdraws its records while they still wait in the queue (never sent); true if already aborted. */
function withdrawOnAbort(queue: Pending[], pending: Pending, signal: AbortSignal): boolean {
  if (signal.aborted) {
    pending.reject(signal.reason);
    return true;
  }
  signal.addEventListener('abort', () => {
    const at = queue.indexOf(pending);
    if (at >= 0) {
      queue.splice(at, 1);
      pending.reject(signal.reason);
    }
  }, { once: true });
  return false;
}

function toBuffer(key: Message['key']): Buffer | null {
  if (key === null || key === undefined) return null;
  return Buffer.isBuffer(key) ? key : Buffer.from(key);
}
