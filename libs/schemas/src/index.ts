export * from './generated/types.js';
export { avroTypeOptions, DecimalType } from './logical-types.js';
export { bundle, definedNames, fullName, type AvroJson } from './bundle.js';
export { loadSchemaCatalog, requireSchema, defaultSchemasDir, type CatalogSchema, type SchemaCatalog } from './catalog.js';
