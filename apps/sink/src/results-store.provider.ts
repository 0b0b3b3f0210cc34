import type { Provider } from '@nestjs/common';
import { ResultsStore } from '@spine/results-store';
import type pg from 'pg';
import { PG_POOL, databaseSchema } from '@spine/postgres';

/** The results store, its table migrated before the stage starts consuming. */
export const resultsStoreProvider: Provider = {
  provide: ResultsStore,
  inject: [PG_POOL],
  useFactory: async (pool: pg.Pool): Promise<ResultsStore> => {
    const store = new ResultsStore(pool, { schema: databaseSchema() });
    await store.migrate();
    return store;
  },
};
