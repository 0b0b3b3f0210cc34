import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { CORRELATION_HEADER, SpanKind, correlationIdFrom, extractTraceContext, inSpan } from '@spine/telemetry';
import type { SpineProducer } from '../kafka/producer.js';
import type { TopicCodecs } from '../kafka/topic-codecs.js';
import type { SpineMetrics } from '../ops/metrics.js';
import { deadLetterMessage } from './dead-letter.js';
import { backoffDelay, defaultRetryPolicy, isInfrastructure, isPermanent, type RetryPolicy } from './failures.js';
import { KeyOrderedPool } from './key-ordered-pool.js';
import { OffsetTracker } from './offset-tracker.js';
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
}

export function consumerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): ConsumerTuning {
  return {
    sessionTimeoutMs: Number(env.SPINE_SESSION_TIMEOUT_MS ?? 30_000),
    heartbeatIntervalMs: Number(env.SPINE_HEARTBEAT_INTERVAL_MS ?? 3_000),
    partitionsConsumedConcurrently: Number(env.SPINE_PARTITIONS_CONCURRENCY ?? 4),
  };
}

type Outcome = { kind: 'emitted'; count: number } | { kind: 'dead-lettered' };

/**
 * Runs one stage: consume -> decode -> handle (retry) -> produce outputs with acks=all -> commit.
 * - Offsets are committed only after every record below them has its outputs (or dead letter) acknowledged:
 *   at-least-once, with idempotent producers; sinks make it effectively-once by keying on event id.
 * - Within a partition batch, different keys run concurrently (bounded), one key strictly in order.
 * - While a batch is busy (a slow model call), heartbeats keep the member in its group, so a handler
 *   slower than the session timeout triggers no rebalance.
 */
export class StageRunner {
  readonly groupId: string;
  private consumer: Consumer | undefined;
  private joined = false;
  private crashed: Error | undefined;
  private readonly policy: RetryPolicy;

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
    const consumer = this.deps.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      heartbeatInterval: this.tuning.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(60_000, this.tuning.sessionTimeoutMs * 2),
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 1024 * 1024,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
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
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Stops fetching, lets in-flight records finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    await consumer.stop(); // waits for the running batch, which commits what it finished
    await consumer.disconnect(); // leaves the group at once instead of waiting for the session timeout
    this.consumer = undefined;
    this.joined = false;
  }

  private async handleBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const stage = this.options.name;
    this.deps.metrics.lag.set({ stage, topic, partition: String(partition) }, Number(batch.offsetLag()));
    if (!batch.messages.length) return;

    // kafkajs sends heartbeats only when asked during a batch; a timer keeps the membership alive while
    // handlers take seconds to minutes.
    const beat = setInterval(() => heartbeat().catch(() => undefined), Math.max(500, this.tuning.heartbeatIntervalMs));
    const tracker = new OffsetTracker(batch.messages.map((m) => m.offset));
    const pool = new KeyOrderedPool(this.options.concurrency ?? 16);
    let commitChain = Promise.resolve();
    const commitProgress = () => {
      const next = tracker.advance();
      if (next !== null) {
        // resolveOffset moves kafkajs's fetch position; commitOffsets makes it durable for the group.
        resolveOffset((BigInt(next) - 1n).toString());
        commitChain = commitChain.then(() => this.consumer?.commitOffsets([{ topic, partition, offset: next }]));
      }
      return commitChain;
    };

    try {
      const tasks = batch.messages.map((message) =>
        pool.submit(message.key?.toString('base64') ?? `offset:${message.offset}`, async () => {
          if (!isRunning() || isStale()) return false; // shutting down or partition revoked: leave it uncommitted
          this.deps.metrics.inFlight.inc({ stage });
          try {
            await this.process(topic, partition, message);
          } finally {
            this.deps.metrics.inFlight.dec({ stage });
          }
          tracker.complete(message.offset);
          void commitProgress();
          return true;
        }),
      );
      const results = await Promise.allSettled(tasks);
      await commitProgress();
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      // A record that could neither be handled nor dead-lettered (Kafka unavailable): let kafkajs restart
      // from the last committed offset rather than skip it.
      if (failure) throw failure.reason;
    } finally {
      clearInterval(beat);
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
