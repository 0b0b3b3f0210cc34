export * from './errors.js';
export { frame, unframe, MAGIC_BYTE } from './wire-format.js';
export { RegistryClient, type RegistryOptions, type Compatibility, type CompatibilityResult } from './registry-client.js';
export { AvroSerde, type Decoded } from './avro-serde.js';
export { collectIssues } from './validation.js';
