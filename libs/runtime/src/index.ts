export type { BatchStageHandler, Emit, EmitFor, InboundFor, InboundMessage, StageHandler, StageResult } from './stage/types.js';
export { MicroBatcher, type BatchResults } from './stage/micro-batcher.js';
export { StageRunner, type StageRunnerDeps, type RuntimeHandler } from './stage/stage-runner.js';
export { consumerTuningFromEnv, type ConsumerTuning } from './stage/consumer-tuning.js';
export { PartitionWorker } from './stage/partition-worker.js';
export { KeyOrderedPool } from './stage/key-ordered-pool.js';
export { OffsetTracker } from './stage/offset-tracker.js';
export {
  PermanentError,
  TransientError,
  DependencyUnavailableError,
  DeadlineExceededError,
  DecodeError,
  classifyFailure,
  backoffDelay,
  defaultRetryPolicy,
  type FailureKind,
  type RetryPolicy,
} from './stage/failures.js';
export { DLQ_HEADERS, deadLetterMessage } from './stage/dead-letter.js';
export * from './middleware/index.js';
export { kafkaFromEnv } from './kafka/kafka-client.js';
export { RecordTooLargeError, SpineProducer, type Published } from './kafka/producer.js';
export { recordBytes } from './kafka/record-size.js';
export { KeyPartitioner } from './kafka/partitioner.js';
export { TopicCodec, TopicCodecs } from './kafka/topic-codecs.js';
export { SpineMetrics } from './ops/metrics.js';
export { BatchStage, Stage, type StageMetadata } from './nest/stage.decorator.js';
export { batchingHandler } from './nest/stage-explorer.js';
export { SpineRuntimeModule } from './nest/spine-runtime.module.js';
export { SpineContext } from './nest/spine-context.js';
export { ApiKeyGuard } from './nest/api-key.guard.js';
export { rateLimitRefusal } from './nest/rate-limit-refusal.js';
export { RequireScopes, SCOPES_METADATA } from './nest/scopes.decorator.js';
export { principalOf } from './nest/principal.js';
export { readJsonBody, bodyLimitFromEnv, MAX_JSON_DEPTH } from './nest/json-body.js';
export { BrokerHealth, type BrokerStatus } from './kafka/broker-health.js';
export { publishWithin, BrokerUnavailableError } from './kafka/publish-deadline.js';
export type { SendOptions } from './kafka/producer.js';
export { bootstrapService, type BootstrapOptions } from './nest/bootstrap.js';
export { jsonLog } from './nest/logger.js';
export type { MiddlewareRef, SpineRuntimeOptions, StageMiddlewareProvider } from './nest/tokens.js';
export { currentTraceId } from '@spine/telemetry';
