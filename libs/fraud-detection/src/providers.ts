import type { Provider } from '@nestjs/common';
import { CardActivityStore } from '@spine/card-activity-store';
import { loadFraudModel } from '@spine/fraud-model';
import { PG_POOL, databaseSchema } from '@spine/postgres';
import type pg from 'pg';
import { FRAUD_MODEL } from './fraud-scoring.stage.js';

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

/** The fraud model version SPINE_FRAUD_MODEL_VERSION names, else the newest shipped. */
export const fraudModelProvider: Provider = { provide: FRAUD_MODEL, useFactory: () => loadFraudModel(process.env.SPINE_FRAUD_MODEL_VERSION?.trim() || undefined) };
