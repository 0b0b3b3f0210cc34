import type { Provider } from '@nestjs/common';
import { DriftReferenceStore } from '@spine/drift-detection';
import { databaseSchema, PG_POOL } from '@spine/postgres';
import type pg from 'pg';

/** Injection token of the reference store: a DriftReferenceStore, or null when no database is configured. */
export const REFERENCE_STORE = Symbol('REFERENCE_STORE');

/** The drift reference store in SPINE_DB_SCHEMA, its table migrated before the stage starts; null without a pool. */
export const referenceStoreProvider: Provider = {
  provide: REFERENCE_STORE,
  inject: [{ token: PG_POOL, optional: true }],
  useFactory: async (pool: pg.Pool | undefined): Promise<DriftReferenceStore | null> => {
    if (!pool) return null;
    const store = new DriftReferenceStore(pool, { schema: databaseSchema() });
    await store.migrate();
    return store;
  },
};
