import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { SpineProducer } from '../kafka/producer.js';
import type { TopicCodecs } from '../kafka/topic-codecs.js';
import type { SpineMetrics } from '../ops/metrics.js';
import { consumerTuningFromEnv, type ConsumerTuning } from './consumer-tuning.js';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './failures.js';
import { PartitionWorker } from './partition-worker.js';
import { RecordProcessor } from './record-processor.js';
import type { StageHandler, StageOptions } from './types.js';

export interface StageRunnerDeps {
  kafka: Kafka;
  codecs: TopicCodecs;
  producer: SpineProducer;
  metrics: SpineMetrics;
  topicPrefix: string;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

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
  private readonly records: RecordProcessor;
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
    this.records = new RecordProcessor(options, handler, this.policy, this.groupId, deps);
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
        handle: (message) => this.records.process(topic, partition, message).then(() => undefined),
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

}
