export type { AdapterDescription, AdapterKind, Backend, BackendReply, ModelAdapter, PredictOptions } from './adapter.js';
export { createModelAdapter } from './create-adapter.js';
export {
  ADAPTER_KINDS,
  adapterConfigDocs,
  adapterConfigJsonSchema,
  fieldsOfKind,
  validateAdapterConfig,
  type AdapterConfig,
  type AdapterConfigInput,
  type AdapterConfigOf,
  type AdapterKindName,
} from './config/adapter-config.js';
export { COMMON_FIELDS, type CommonConfig } from './config/common.js';
export { f, validateFields, type ConfigIssue, type Field, type Fields, type Input, type Resolved } from './config/fields.js';
export { defineKind, type AdapterContext, type InProcessFunction, type KindSpec } from './config/kind.js';
export {
  AdapterConfigError,
  CircuitOpenError,
  InvalidModelOutputError,
  ModelInputRefusedError,
  ModelRateLimitedError,
  ModelServerError,
  ModelTimeoutError,
  ModelUnavailableError,
  type TokenUsage,
} from './errors.js';
export { GuardedAdapter } from './guarded-adapter.js';
export { mapAdapter, type AdapterCodec } from './map-adapter.js';
export { CircuitBreaker, type CircuitState } from './resilience/circuit-breaker.js';
export { type TensorRow } from './backends/tensors.js';
export { fraudProbability, fraudScoring, fraudVector, type FraudScore } from './fraud.js';
