import { SpineMetrics, StageRunner, type Emit, type InboundMessage, type RuntimeHandler, type StageMiddleware } from '@spine/runtime';
import type { StageSpec } from '@spine/topology';
import type { SpineFixture } from './spine-fixture.js';
import { stageLog } from './stage-log.js';

/** Consumer settings for tests: short sessions, small backlogs, no fetch wait. */
export const TEST_TUNING = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, partitionsConsumedConcurrently: 3, maxBacklogPerPartition: 64, fetchMinBytes: 1, fetchMaxWaitMs: 100, commitIntervalMs: 100 };

/** A handler as a test writes it: the input's decoded value typed as the test says. */
export type TestHandler<V> = (message: InboundMessage<V>) => Promise<Emit | readonly Emit[] | void>;

/** Runs one stage in this process on the fixture's topics (its prefix, producer and codecs). */
export async function startStage<V>(fx: SpineFixture, spec: StageSpec, handler: TestHandler<V>, options: { middlewares?: StageMiddleware[]; metrics?: SpineMetrics; tuning?: Partial<typeof TEST_TUNING> } = {}): Promise<StageRunner> {
  const runner = new StageRunner(
    spec,
    handler as unknown as RuntimeHandler,
    { kafka: fx.kafka, codecs: fx.codecs, producer: fx.producer, partitioner: fx.partitioner, metrics: options.metrics ?? new SpineMetrics(), log: stageLog },
    options.middlewares ?? [],
    { ...TEST_TUNING, ...options.tuning },
  );
  await runner.start();
  return runner;
}
