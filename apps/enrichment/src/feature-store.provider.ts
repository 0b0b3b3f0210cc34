import type { Provider } from '@nestjs/common';
import { FeatureStore } from '@spine/feature-store';
import type pg from 'pg';
import { PG_POOL, databaseSchema } from '@spine/postgres';

/** The feature store, its tables migrated before any stage starts consuming. */
export const featureStoreProvider: Provider = {
  provide: FeatureStore,
  inject: [PG_POOL],
  useFactory: async (pool: pg.Pool): Promise<FeatureStore> => {
    const store = new FeatureStore(pool, { schema: databaseSchema() });
    await store.migrate();
    return store;
  },
};
