import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { CORRELATION_HEADER, SpanKind, correlationIdFrom, extractTraceContext, inSpan } from '@spine/telemetry';
import type { SpineProducer } from '../kafka/producer.js';
import type { TopicCodecs } from '../kafka/topic-codecs.js';
import type { SpineMetrics } from '../ops/metrics.js';
import { deadLetterMessage } from './dead-letter.js';
import { backoffDelay, defaultRetryPolicy, isInfrastructure, isPermanent, type RetryPolicy } from './failures.js';
import { PartitionWorker } from './partition-worker.js';
import type { Emit, InboundMessage, StageHandler, StageOptions } from './types.js';

export interface StageRunnerDeps {
  kafka: Kafka;
  codecs: TopicCodecs;
  producer: SpineProducer;
  metrics: SpineMetrics;
  topicPrefix: string;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/** Consumer tuning; defaults suit model calls that take seconds. All overridable by env (see README). */
export interface ConsumerTuning {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
  /** Records accepted per partition before it is paused (resumed at half). */
  maxBacklogPerPartition: number;
  /** A fetch waits for this many bytes or fetchMaxWaitMs, so records arrive in batches rather than one by one. */
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
}

export function consumerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): ConsumerTuning {
  return {
    sessionTimeoutMs: Number(env.SPINE_SESSION_TIMEOUT_MS ?? 30_000),
    heartbeatIntervalMs: Number(env.SPINE_HEARTBEAT_INTERVAL_MS ?? 3_000),
    partitionsConsumedConcurrently: Number(env.SPINE_PARTITIONS_CONCURRENCY ?? 4),
    maxBacklogPerPartition: Number(env.SPINE_MAX_BACKLOG_PER_PARTITION ?? 256),
    fetchMinBytes: Number(env.SPINE_FETCH_MIN_BYTES ?? 64 * 1024),
    fetchMaxWaitMs: Number(env.SPINE_FETCH_MAX_WAIT_MS ?? 50),
  };
}

type Outcome = { kind: 'emitted'; count: number } | { kind: 'dead-lettered' };

/**
 * Runs one stage: consume -> decode -> handle (retry) -> produce outputs with acks=all -> commit.
 * - Offsets are committed only after every record below them has its outputs (or dead letter) acknowledged:
 *   at-least-once, with idempotent producers; sinks make it effectively-once by keying on event id.
 * - Each partition's records go to a PartitionWorker: different keys run concurrently (bounded), one key
 *   strictly in order; a full backlog pauses the partition (resumed at half).
 * - Fetching never waits for handlers, so a slow record (a model call of seconds to minutes) holds up
 *   neither other partitions nor heartbeats: no rebalance, however slow the handler.
 */
export class StageRunner {
  readonly groupId: string;
  private consumer: Consumer | undefined;
  private inputTopic = '';
  private joined = false;
  private crashed: Error | undefined;
  private readonly policy: RetryPolicy;
  private readonly workers = new Map<number, PartitionWorker>();
  /** Workers of partitions from before the last rebalance, finishing what they had started. */
  private readonly retired = new Map<number, PartitionWorker>();

  constructor(
    private readonly options: StageOptions,
    private readonly handler: StageHandler,
    private readonly deps: StageRunnerDeps,
    private readonly tuning: ConsumerTuning = consumerTuningFromEnv(),
  ) {
    this.groupId = `${deps.topicPrefix}${options.groupId ?? `spine.${options.name}`}`;
    this.policy = { ...defaultRetryPolicy, maxAttempts: options.maxAttempts ?? defaultRetryPolicy.maxAttempts };
    for (const output of options.outputs) deps.codecs.get(output); // fail at start-up on an unknown topic
    deps.codecs.get(options.deadLetter);
  }

  get ready(): boolean {
    return this.joined && !this.crashed;
  }

  get status() {
    return { stage: this.options.name, group: this.groupId, joined: this.joined, crashed: this.crashed?.message ?? null };
  }

  async start(): Promise<void> {
    const input = this.deps.codecs.get(this.options.input);
    this.inputTopic = input.name;
    const consumer = this.deps.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      heartbeatInterval: this.tuning.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(60_000, this.tuning.sessionTimeoutMs * 2),
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 1024 * 1024,
      minBytes: this.tuning.fetchMinBytes,
      maxWaitTimeInMs: this.tuning.fetchMaxWaitMs,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.retireWorkers();
      this.deps.metrics.rebalances.inc({ stage: this.options.name });
      this.deps.log('info', 'joined consumer group', { stage: this.options.name, group: this.groupId, assignment: event.payload.memberAssignment });
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      this.deps.log('error', 'consumer crashed', { stage: this.options.name, error: error.message, restart: event.payload.restart });
      if (!event.payload.restart) this.crashed = error;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: input.name, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.acceptBatch(payload),
    });
  }

  /** Stops fetching, finishes the records already started, commits them, then leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    consumer.pause([{ topic: this.inputTopic }]);
    const all = [...this.workers.values(), ...this.retired.values()];
    for (const worker of all) worker.close();
    await Promise.all(all.map((worker) => worker.idle()));
    await consumer.stop(); // leaves the group at once instead of waiting for the session timeout
    await consumer.disconnect();
    this.consumer = undefined;
    this.joined = false;
  }

  /**
   * Hands a fetched batch to its partition's worker and returns at once: kafkajs goes on fetching other
   * partitions and heartbeating while handlers take seconds to minutes.
   */
  private async acceptBatch({ batch, resolveOffset, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    this.deps.metrics.lag.set({ stage: this.options.name, topic, partition: String(partition) }, Number(batch.offsetLag()));
    if (!batch.messages.length || isStale()) return;
    const worker = this.workerFor(topic, partition);
    if (!worker.accepting) return; // being rewound: the partition is paused and will be fetched again
    worker.enqueue(batch.messages);
    resolveOffset(batch.lastOffset()); // moves kafkajs's fetch position only; commits follow completion
  }

  private workerFor(topic: string, partition: number): PartitionWorker {
    const existing = this.workers.get(partition);
    if (existing) return existing;
    const previous = this.retired.get(partition);
    const worker: PartitionWorker = new PartitionWorker(
      topic,
      partition,
      {
        handle: (message) => this.process(topic, partition, message).then(() => undefined),
        commit: async (offset) => {
          await this.consumer?.commitOffsets([{ topic, partition, offset }]);
        },
        pause: () => this.consumer?.pause([{ topic, partitions: [partition] }]),
        resume: () => this.consumer?.resume([{ topic, partitions: [partition] }]),
        rewind: (from, error) => void this.rewind(worker, from, error),
        // A commit refused during a rebalance is harmless: the next owner redelivers from the last commit.
        onCommitError: (error) => this.deps.log('warn', 'offset commit failed', { stage: this.options.name, topic, partition, error: (error as Error).message }),
      },
      { concurrency: this.options.concurrency ?? 16, maxBacklog: this.tuning.maxBacklogPerPartition },
      previous?.idle(),
    );
    this.workers.set(partition, worker);
    return worker;
  }

  private retireWorkers(): void {
    for (const [partition, worker] of this.workers) {
      this.retired.set(partition, worker);
      void worker.idle().then(() => {
        if (this.retired.get(partition) === worker) this.retired.delete(partition);
      });
    }
    this.workers.clear();
  }

  /**
   * A record could be neither handled nor dead-lettered (a dependency is down past the retries): pause the
   * partition, let started records settle, wait, and fetch again from the oldest unfinished offset.
   */
  private async rewind(worker: PartitionWorker, fromOffset: string, error: unknown): Promise<void> {
    const { topic, partition } = worker;
    const consumer = this.consumer;
    this.deps.log('warn', 'partition rewinding after a dependency failure', { stage: this.options.name, topic, partition, fromOffset, error: (error as Error)?.message });
    consumer?.pause([{ topic, partitions: [partition] }]);
    await worker.idle();
    if (this.workers.get(partition) === worker) this.workers.delete(partition);
    await sleep(backoffDelay({ ...this.policy, initialDelayMs: 1_000 }, 2));
    if (!consumer || this.consumer !== consumer) return;
    try {
      consumer.seek({ topic, partition, offset: fromOffset });
      consumer.resume([{ topic, partitions: [partition] }]);
    } catch (seekError) {
      // Partition revoked meanwhile: its next owner starts from the last committed offset anyway.
      this.deps.log('warn', 'rewind seek failed', { stage: this.options.name, topic, partition, error: (seekError as Error).message });
    }
  }

  private async process(topic: string, partition: number, message: KafkaMessage): Promise<Outcome> {
    const stage = this.options.name;
    const headers = stringHeaders(message.headers);
    const started = process.hrtime.bigint();
    this.deps.metrics.recordsIn.inc({ stage, topic });
    return inSpan(`${stage} process`, SpanKind.CONSUMER, { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.kafka.offset': message.offset }, extractTraceContext(headers), async () => {
      let attempt = 0;
      for (;;) {
        attempt++;
        try {
          const emits = await this.invoke(topic, partition, message, headers, attempt);
          const outputs = emits.map((e) => ({ ...e, headers: { [CORRELATION_HEADER]: headers[CORRELATION_HEADER] ?? '', ...(e.headers ?? {}) } }));
          await this.deps.producer.publish(outputs);
          for (const e of outputs) this.deps.metrics.recordsOut.inc({ stage, topic: this.deps.codecs.get(e.topic).name });
          this.deps.metrics.handlerSeconds.observe({ stage }, Number(process.hrtime.bigint() - started) / 1e9);
          return { kind: 'emitted', count: outputs.length } as const;
        } catch (error) {
          this.deps.metrics.errors.inc({ stage, error: (error as Error).name ?? 'Error' });
          const infrastructure = isInfrastructure(error);
          if (infrastructure && attempt >= this.policy.maxAttempts) throw error; // redelivered once it is back
          if (!infrastructure && (isPermanent(error) || attempt >= this.policy.maxAttempts)) {
            await this.deadLetter(topic, partition, message, error, attempt);
            return { kind: 'dead-lettered' } as const;
          }
          this.deps.log('warn', 'handler failed; retrying', { stage, topic, partition, offset: message.offset, attempt, error: (error as Error).message });
          await sleep(backoffDelay(this.policy, attempt));
        }
      }
    });
  }

  private async invoke(topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>, attempt: number): Promise<Emit[]> {
    const codec = this.deps.codecs.get(this.options.input);
    const [key, value] = await Promise.all([codec.decodeKey(message.key), codec.decodeValue(message.value)]);
    const correlationId = correlationIdFrom(headers);
    headers[CORRELATION_HEADER] = correlationId;
    const inbound: InboundMessage<unknown> = {
      key: key as string | null,
      value,
      headers,
      topic,
      partition,
      offset: message.offset,
      timestamp: message.timestamp,
      correlationId,
      attempt,
    };
    const result = await this.handler(inbound);
    const emits = result === undefined ? [] : Array.isArray(result) ? [...result] : [result as Emit];
    for (const emit of emits) {
      if (!this.options.outputs.includes(emit.topic)) {
        throw Object.assign(new Error(`stage ${this.options.name} emitted to "${emit.topic}", which is not among its declared outputs`), { permanent: true });
      }
    }
    return emits;
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    const stage = this.options.name;
    const dlq = this.deps.codecs.get(this.options.deadLetter).name;
    await this.deps.producer.sendRaw([{ topic: dlq, message: deadLetterMessage(message, { error, stage, group: this.groupId, topic, partition, attempts }) }]);
    this.deps.metrics.deadLettered.inc({ stage });
    this.deps.log('warn', 'record dead-lettered', { stage, topic, partition, offset: message.offset, attempts, deadLetterTopic: dlq, error: (error as Error)?.message });
  }
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}
