export { migrateSchema, withTransaction } from './transaction.js';
export { quoteIdentifier } from './sql-identifier.js';
export { databaseUrl, databaseSchema, requireDatabaseUrl } from './env.js';
export { PostgresModule, PG_POOL } from './postgres.module.js';
export {
  createPersonalDataCatalog,
  declarePersonalData,
  declaredPersonalData,
  erasePersonalData,
  type CustomerMatch,
  type ErasedTable,
  type PersonalDataDeclaration,
  type PersonalDataStore,
  type Queryable,
} from './personal-data.js';
