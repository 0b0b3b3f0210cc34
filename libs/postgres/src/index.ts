export { withTransaction } from './transaction.js';
export { quoteIdentifier } from './sql-identifier.js';
export { databaseUrl, databaseSchema } from './env.js';
export { PostgresModule, PG_POOL } from './postgres.module.js';
