import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { groupIdOf, type StageSpec } from '@spine/topology';
import type { KeyPartitioner } from '../kafka/partitioner.js';
import type { SpineProducer } from '../kafka/producer.js';
import type { TopicCodecs } from '../kafka/topic-codecs.js';
import { builtInChain, compose, type Log, type RecordContext, type StageMiddleware } from '../middleware/index.js';
import type { SpineMetrics } from '../ops/metrics.js';
import { consumerTuningFromEnv, type ConsumerTuning } from './consumer-tuning.js';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './failures.js';
import { PartitionWorker } from './partition-worker.js';
import { StartProgress } from './start-progress.js';
import type { Emit, InboundMessage } from './types.js';

export interface StageRunnerDeps {
  kafka: Kafka;
  codecs: TopicCodecs;
  producer: SpineProducer;
  partitioner: KeyPartitioner;
  metrics: SpineMetrics;
  log: Log;
}

/** The handler as the runtime calls it: the decoded message in, records to produce out (or none). */
export type RuntimeHandler = (message: InboundMessage<unknown, unknown>, context: RecordContext) => Promise<Emit | readonly Emit[] | void>;

const NEVER_ABORTED = new AbortController().signal;

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
  private inputTopics: string[] = [];
  private joined = false;
  private crashed: Error | undefined;
  private readonly progress: StartProgress;
  /** stop() was called: a start still in progress goes no further. */
  private stopRequested = false;
  /** consumer.run() was called: from then on kafkajs can pause partitions. */
  private consuming = false;
  private readonly policy: RetryPolicy;
  private readonly run: (context: RecordContext) => Promise<readonly Emit[]>;
  private readonly workers = new Map<string, PartitionWorker>();
  /** Workers of partitions from before the last rebalance, finishing what they had started. */
  private readonly retired = new Map<string, PartitionWorker>();

  constructor(
    private readonly spec: StageSpec,
    handler: RuntimeHandler,
    private readonly deps: StageRunnerDeps,
    middlewares: readonly StageMiddleware[] = [],
    private readonly tuning: ConsumerTuning = consumerTuningFromEnv(),
  ) {
    this.groupId = groupIdOf(spec, deps.codecs.deployment);
    this.progress = new StartProgress(spec.name, deps.log);
    this.policy = { ...defaultRetryPolicy, maxAttempts: spec.maxAttempts };
    this.run = compose(builtInChain(middlewares), async (context) => {
      const result = await handler(context.message!, context);
      return result === undefined ? [] : Array.isArray(result) ? (result as readonly Emit[]) : [result as Emit];
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get ready(): boolean {
    return this.joined && !this.crashed;
  }

  get status() {
    return { stage: this.spec.name, group: this.groupId, joined: this.joined, starting: this.progress.step, crashed: this.crashed?.message ?? null };
  }

  /**
   * Waits for `after` (the process reaching Kafka), resolves the stage's topics (and only those), joins its group
   * and starts consuming. Each step shows in `status.starting`. A start that fails leaves the stage crashed (not
   * ready, the error in its status) and rejects; one cut short by stop() resolves.
   */
  async start(after?: Promise<unknown>): Promise<void> {
    this.stopRequested = false;
    this.consuming = false;
    try {
      await this.connectAndJoin(after);
    } catch (error) {
      this.progress.done();
      if (this.stopRequested) return;
      this.crashed = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  }

  private async connectAndJoin(after: Promise<unknown> | undefined): Promise<void> {
    const { codecs, partitioner } = this.deps;
    if (after) {
      this.progress.at('waiting for Kafka', { quiet: true });
      await after;
    }
    if (this.stopRequested) return;
    this.progress.at('looking up its topics\' schemas in the registry');
    const inputs = await codecs.resolveAll(this.spec.inputs);
    const written = await codecs.resolveAll([...this.spec.outputs, this.spec.deadLetter]);
    this.progress.at('reading partition counts and size limits of its output topics');
    await Promise.all([partitioner.ensure(written.map((c) => c.name)), this.deps.producer.prepare(written.map((c) => c.name))]);
    if (this.stopRequested) return;
    this.inputTopics = inputs.map((c) => c.name);
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
      this.progress.done();
      this.retireWorkers();
      // kafkajs keeps a partition's pause across reassignments, and the worker that paused it (a full backlog)
      // is retired now and will never resume it: resume every assigned partition, or it would stall for good.
      // Fresh workers fetch from the committed offset and pause again if their backlog fills.
      const assigned = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
      if (assigned.length) consumer.resume(assigned);
      this.deps.metrics.rebalances.inc({ stage: this.spec.name });
      this.deps.log('info', 'joined consumer group', { stage: this.spec.name, group: this.groupId, assignment: event.payload.memberAssignment });
    });
    // The member learns of a rebalance at its next heartbeat. From then on it starts no new record: those
    // not started would be redone by the partition's next owner anyway (a duplicate on the output topic).
    // Records in flight finish; what finished is committed while the group still accepts this generation.
    consumer.on(consumer.events.REBALANCING, () => {
      for (const worker of this.workers.values()) worker.close();
      this.deps.metrics.rebalancesStarted.inc({ stage: this.spec.name });
      this.deps.log('info', 'group rebalancing: starting no new records', { stage: this.spec.name, group: this.groupId });
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      this.deps.log('error', 'consumer crashed', { stage: this.spec.name, error: error.message, restart: event.payload.restart });
      if (!event.payload.restart) this.crashed = error;
    });
    // A request that times out while starting is the likeliest reason a stage does not join: say so.
    consumer.on(consumer.events.REQUEST_TIMEOUT, (event) => {
      this.progress.note('Kafka request timed out while starting', { api: event.payload.apiName, broker: event.payload.broker, pendingDurationMs: event.payload.pendingDuration });
    });
    this.progress.at('connecting its consumer');
    await consumer.connect();
    if (this.stopRequested) return;
    this.progress.at('subscribing to its input topics');
    await consumer.subscribe({ topics: this.inputTopics, fromBeginning: true });
    if (this.stopRequested) return;
    this.progress.at(`joining consumer group ${this.groupId}`);
    this.consuming = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.acceptBatch(payload),
    });
  }

  /** Stops fetching, finishes the records already started, commits them, then leaves the group. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.progress.done();
    const consumer = this.consumer;
    if (!consumer) return;
    if (this.consuming) {
      consumer.pause(this.inputTopics.map((topic) => ({ topic })));
      const all = [...this.workers.values(), ...this.retired.values()];
      for (const worker of all) worker.close();
      await Promise.all(all.map((worker) => worker.idle()));
    }
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
    this.deps.metrics.lag.set({ stage: this.spec.name, topic, partition: String(partition) }, Number(batch.offsetLag()));
    if (!batch.messages.length || isStale()) return;
    const worker = this.workerFor(topic, partition);
    if (!worker.accepting) return; // being rewound: the partition is paused and will be fetched again
    worker.enqueue(batch.messages);
    resolveOffset(batch.lastOffset()); // moves kafkajs's fetch position only; commits follow completion
  }

  private workerFor(topic: string, partition: number): PartitionWorker {
    const slot = `${topic}:${partition}`;
    const existing = this.workers.get(slot);
    if (existing) return existing;
    const previous = this.retired.get(slot);
    const worker: PartitionWorker = new PartitionWorker(
      topic,
      partition,
      {
        handle: (message) => this.process(topic, partition, message),
        commit: async (offset) => {
          await this.consumer?.commitOffsets([{ topic, partition, offset }]);
        },
        pause: () => this.consumer?.pause([{ topic, partitions: [partition] }]),
        resume: () => this.consumer?.resume([{ topic, partitions: [partition] }]),
        rewind: (from, error) => void this.rewind(worker, from, error),
        // A commit refused during a rebalance is harmless: the next owner redelivers from the last commit.
        onCommitError: (error) => this.deps.log('warn', 'offset commit failed', { stage: this.spec.name, topic, partition, error: (error as Error).message }),
      },
      { concurrency: this.spec.concurrency, maxBacklog: this.tuning.maxBacklogPerPartition, commitIntervalMs: this.tuning.commitIntervalMs },
      previous?.idle(),
    );
    this.workers.set(slot, worker);
    return worker;
  }

  /** One record through the middlewares and the handler; throws only when it could be neither handled nor dead-lettered. */
  private async process(topic: string, partition: number, record: KafkaMessage): Promise<void> {
    const context: RecordContext = {
      stage: this.spec,
      services: { codecs: this.deps.codecs, producer: this.deps.producer, metrics: this.deps.metrics, log: this.deps.log, groupId: this.groupId },
      record,
      topic,
      partition,
      headers: stringHeaders(record.headers),
      correlationId: '',
      attempt: 0,
      signal: NEVER_ABORTED,
      message: undefined,
      deadLettered: false,
      state: new Map(),
    };
    await this.run(context);
  }

  /**
   * After a rejoin, the workers of the previous generation start no new record (the partition's owner,
   * maybe this member again, fetches from the committed offset); they finish what is in flight, and the
   * new workers of their partitions wait for that, so one key's records stay in order.
   */
  private retireWorkers(): void {
    for (const [slot, worker] of this.workers) {
      worker.close();
      this.retired.set(slot, worker);
      void worker.idle().then(() => {
        if (this.retired.get(slot) === worker) this.retired.delete(slot);
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
    this.deps.log('warn', 'partition rewinding after a dependency failure', { stage: this.spec.name, topic, partition, fromOffset, error: (error as Error)?.message });
    consumer?.pause([{ topic, partitions: [partition] }]);
    await worker.idle();
    if (this.workers.get(`${topic}:${partition}`) === worker) this.workers.delete(`${topic}:${partition}`);
    await sleep(backoffDelay({ ...this.policy, initialDelayMs: 1_000 }, 2));
    if (!consumer || this.consumer !== consumer) return;
    try {
      consumer.seek({ topic, partition, offset: fromOffset });
      consumer.resume([{ topic, partitions: [partition] }]);
    } catch (seekError) {
      // Partition revoked meanwhile: its next owner starts from the last committed offset anyway.
      this.deps.log('warn', 'rewind seek failed', { stage: this.spec.name, topic, partition, error: (seekError as Error).message });
    }
  }
}

function stringHeaders(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}
