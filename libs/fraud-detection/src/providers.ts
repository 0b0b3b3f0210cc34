import type { Provider } from '@nestjs/common';
import { CardActivityStore } from '@spine/card-activity-store';
import { PG_POOL, databaseSchema } from '@spine/postgres';
import type pg from 'pg';

/** Card activity in PostgreSQL, its table migrated before the stage starts consuming. */
export const cardActivityStoreProvider: Provider = {
  provide: CardActivityStore,
  inject: [PG_POOL],
  useFactory: async (pool: pg.Pool) => {
    const store = new CardActivityStore(pool, { schema: databaseSchema() });
    await store.migrate();
    return store;
  },
};
