export { topic, deadLetterTopic, subjectFor, DAY_MS, type TopicSpec, type TopicOptions, type KeyOf, type ValueOf } from './topic-spec.js';
export { stage, type StageSpec, type StageOptions, type ScalingHints, type BatchOptions, type ModelServing } from './stage-spec.js';
export type { ServiceSpec } from './service-spec.js';
export { Platform, defineDomain, UnknownNameError, type Domain, type DriftMonitorSpec } from './platform.js';
export { deploymentFromEnv, resolveTopic, groupIdOf, maxReplicasOf, type Deployment, type ResolvedTopic } from './deployment.js';
export { provision, IncompatibleSchemaError, type ProvisionStep, type ProvisionOptions } from './provision.js';
export { compatibilityIssues, parseSchema } from './compatibility.js';
export { asyncApiDocument, AVRO_SCHEMA_FORMAT, type AsyncApiOptions } from './asyncapi.js';
