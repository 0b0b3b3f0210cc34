import type { Provider } from '@nestjs/common';
import { AiResultStore } from '@spine/ai-result-store';
import type pg from 'pg';
import { PG_POOL, databaseSchema } from '@spine/postgres';

/** The AI result store, its table migrated before the stage starts consuming. */
export const aiResultStoreProvider: Provider = {
  provide: AiResultStore,
  inject: [PG_POOL],
  useFactory: async (pool: pg.Pool): Promise<AiResultStore> => {
    const store = new AiResultStore(pool, { schema: databaseSchema() });
    await store.migrate();
    return store;
  },
};
