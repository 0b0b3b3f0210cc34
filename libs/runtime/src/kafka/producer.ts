import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { SpanKind, context, inSpan, injectTraceContext, tracingEnabled } from '@spine/telemetry';
import { PermanentError, classifyFailure } from '../stage/failures.js';
import type { Emit } from '../stage/types.js';
import type { KeyPartitioner } from './partitioner.js';
import { BATCH_OVERHEAD_BYTES, recordBytes } from './record-size.js';
import { TopicLimits } from './topic-limits.js';
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

/** A publish on its way: its records, how many were taken into sends, and where each landed. */
interface InFlight {
  readonly records: readonly OutgoingRecord[];
  resolve(published: Published[]): void;
  reject(error: unknown): void;
  readonly published: Published[];
  taken: number;
  acknowledged: number;
  settled: boolean;
}

/** One record of one publish, placed in a send. */
interface Piece {
  readonly flight: InFlight;
  readonly index: number;
}

export interface SendOptions {
  /** Aborted: records not yet sent are withdrawn and the publish rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A record that is larger than its topic accepts: refused before anything is sent, never retried. */
export class RecordTooLargeError extends PermanentError {
  constructor(
    readonly topic: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(`a record of about ${bytes} bytes is larger than ${topic} accepts (max.message.bytes ${limitBytes}); nothing of its publish was sent`);
    this.name = 'RecordTooLargeError';
  }
}

/** Most records one coalesced send carries; beyond it the rest waits for the next send. */
const MAX_RECORDS_PER_SEND = 2_000;

const PRODUCER_CONFIG = { idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false } as const;

/**
 * The process's single idempotent producer. Every send waits for acks from all in-sync replicas, so a
 * resolved publish means the records are durable; stages commit input offsets only after that.
 * Concurrent publishes are coalesced ("group commit"): while one send is in flight, new records queue and
 * leave together in the next, so many small publishes cost few round trips without any added linger.
 *
 * A send never holds more of one partition than its topic's `max.message.bytes`, and a record that can
 * never fit is refused before anything is sent. After any failed send the producer takes a new producer id:
 * kafkajs rolls its sequence numbers back when a request fails, even where the broker appended part of it,
 * and the broker would then take the next records under those numbers for retries and drop them unseen.
 */
export class SpineProducer {
  private producer: Producer;
  private connected = false;
  private readonly queue: InFlight[] = [];
  private sending = false;
  /** A send failed: kafkajs's sequence numbers may be behind the broker's, so a new producer id comes first. */
  private sequencesInDoubt = false;
  private resets = 0;
  private readonly limits: TopicLimits;

  constructor(
    private readonly kafka: Kafka,
    private readonly codecs: TopicCodecs,
    private readonly partitioner: KeyPartitioner,
  ) {
    this.producer = kafka.producer(PRODUCER_CONFIG);
    this.limits = new TopicLimits(kafka.admin());
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
      await this.limits.stop();
    }
  }

  /** Reads the size limits of topics this process will write (at start-up, so no publish waits for them). */
  prepare(topics: readonly string[]): Promise<void> {
    return this.limits.ensure(topics);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** How many times a failed send made the producer take a new producer id (for tests and diagnostics). */
  get producerIdResets(): number {
    return this.resets;
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
  async sendRaw(records: ReadonlyArray<{ topic: string; message: Message }>, options: SendOptions = {}): Promise<Published[]> {
    if (!records.length) return [];
    await this.limits.ensure(records.map((r) => r.topic)); // known after a topic's first publish: no I/O
    const partitioned = records.map(({ topic, message }) => ({
      topic,
      message: { ...message, partition: message.partition ?? this.partitioner.partition(topic, toBuffer(message.key)) },
    }));
    return new Promise((resolve, reject) => {
      const flight: InFlight = { records: partitioned, resolve, reject, published: [], taken: 0, acknowledged: 0, settled: false };
      if (options.signal && withdrawOnAbort(this.queue, flight, options.signal)) return;
      this.queue.push(flight);
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length) {
        const pieces = this.nextSend();
        if (pieces.length) await this.send(pieces);
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * Takes records from the head of the queue, in order, while the send stays under MAX_RECORDS_PER_SEND and
   * every partition's share under its topic's limit. A publish may span sends; one with a record that can
   * never fit is refused whole before any of it is sent.
   */
  private nextSend(): Piece[] {
    const pieces: Piece[] = [];
    const partitionBytes = new Map<string, number>();
    while (this.queue.length && pieces.length < MAX_RECORDS_PER_SEND) {
      const flight = this.queue[0]!;
      if (flight.settled) {
        this.queue.shift();
        continue;
      }
      if (flight.taken === 0) {
        const refusal = this.oversized(flight.records);
        if (refusal) {
          this.queue.shift();
          this.settle(flight, refusal);
          continue;
        }
      }
      const record = flight.records[flight.taken]!;
      const slot = `${record.topic}:${record.message.partition}`;
      const bytes = recordBytes(record.message);
      const limit = this.limits.maxBatchBytes(record.topic);
      const used = partitionBytes.get(slot);
      if (used !== undefined && limit !== undefined && used + bytes > limit) break; // the next send takes it
      partitionBytes.set(slot, (used ?? BATCH_OVERHEAD_BYTES) + bytes);
      pieces.push({ flight, index: flight.taken });
      if (++flight.taken === flight.records.length) this.queue.shift();
    }
    return pieces;
  }

  private oversized(records: readonly OutgoingRecord[]): RecordTooLargeError | undefined {
    for (const { topic, message } of records) {
      const limit = this.limits.maxBatchBytes(topic);
      const bytes = BATCH_OVERHEAD_BYTES + recordBytes(message);
      if (limit !== undefined && bytes > limit) return new RecordTooLargeError(topic, bytes, limit);
    }
    return undefined;
  }

  private async send(pieces: Piece[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { flight, index } of pieces) {
      const { topic, message } = flight.records[index]!;
      const messages = byTopic.get(topic);
      if (messages) messages.push(message);
      else byTopic.set(topic, [message]);
    }
    let metadata: RecordMetadata[];
    try {
      if (this.sequencesInDoubt) await this.takeNewProducerId();
      metadata = await this.producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      this.sequencesInDoubt = true;
      const flights = [...new Set(pieces.map((p) => p.flight))].filter((f) => !f.settled);
      // A record the broker refuses for good (invalid, or larger than a limit changed since it was read) must
      // fail only its own publish, not the others that happened to share the coalesced send.
      if (flights.length > 1 && classifyFailure(error) === 'permanent') {
        for (const flight of flights) await this.send(pieces.filter((p) => p.flight === flight));
      } else {
        for (const flight of flights) this.settle(flight, error);
      }
      return;
    }
    // Records of one partition take consecutive offsets from its base offset, in send order.
    const next = new Map<string, bigint>();
    for (const m of metadata) next.set(`${m.topicName}:${m.partition}`, BigInt(m.baseOffset ?? m.offset ?? '0'));
    for (const { flight, index } of pieces) {
      const { topic, message } = flight.records[index]!;
      const slot = `${topic}:${message.partition}`;
      const offset = next.get(slot) ?? -1n;
      next.set(slot, offset + 1n);
      flight.published[index] = { topic, partition: message.partition, offset: offset.toString() };
      if (++flight.acknowledged === flight.records.length) this.settle(flight);
    }
  }

  /** A fresh kafkajs producer (a new producer id, sequences from zero) replaces the one whose sequences are in doubt. */
  private async takeNewProducerId(): Promise<void> {
    const fresh = this.kafka.producer(PRODUCER_CONFIG);
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.disconnect().catch(() => undefined); // Kafka still unreachable: the next send tries again
      throw error;
    }
    const old = this.producer;
    this.producer = fresh;
    this.sequencesInDoubt = false;
    this.resets++;
    await old.disconnect().catch(() => undefined);
  }

  private settle(flight: InFlight, error?: unknown): void {
    if (flight.settled) return;
    flight.settled = true;
    if (error === undefined) flight.resolve(flight.published);
    else flight.reject(error);
  }

  private async encode(emit: Emit): Promise<{ topic: string; message: Message }> {
    const codec = await this.codecs.resolve(emit.topic);
    await this.partitioner.ensure([codec.name]);
    const headers = tracingEnabled() ? injectTraceContext({ ...(emit.headers ?? {}) }) : (emit.headers ?? {});
    const [key, value] = await Promise.all([codec.encodeKey(emit.key), codec.encodeValue(emit.value)]);
    return { topic: codec.name, message: { key, value, headers } };
  }
}

/** Aborting a publish withdraws its records while none of them has been sent; true if already aborted. */
function withdrawOnAbort(queue: InFlight[], flight: InFlight, signal: AbortSignal): boolean {
  if (signal.aborted) {
    flight.reject(signal.reason);
    return true;
  }
  signal.addEventListener('abort', () => {
    const at = queue.indexOf(flight);
    if (at >= 0 && flight.taken === 0 && !flight.settled) {
      queue.splice(at, 1);
      flight.settled = true;
      flight.reject(signal.reason);
    }
  }, { once: true });
  return false;
}

function toBuffer(key: Message['key']): Buffer | null {
  if (key === null || key === undefined) return null;
  return Buffer.isBuffer(key) ? key : Buffer.from(key);
}
