export * from './errors.js';
export { frame, unframe, MAGIC_BYTE } from './wire-format.js';
export { RegistryClient, type RegistryOptions, type Compatibility, type CompatibilityResult } from './registry-client.js';
export { AvroSerde, type Decoded } from './avro-serde.js';
export { collectIssues } from './validation.js';
export { type CodecType, type TypeWithSchema } from './avro-model.js';
export { fromJson, toJson, parseDateTime, MAX_JSON_DEPTH, type FromJsonOptions, type FromJsonResult } from './json-codec.js';
export { jsonSchemaOf, type JsonSchema, type JsonSchemaOptions } from './json-schema.js';
