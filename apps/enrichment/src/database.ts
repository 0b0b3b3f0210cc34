import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { jsonLog } from '@spine/runtime';
import pg from 'pg';
import { databaseUrl, SERVICE_NAME } from './config.js';

/** Injection token of the process's one pg.Pool. */
export const PG_POOL = Symbol('PG_POOL');

export const pgPoolProvider: Provider = {
  provide: PG_POOL,
  useFactory: (): pg.Pool => {
    const pool = new pg.Pool({ connectionString: databaseUrl(), application_name: `spine-${SERVICE_NAME}` });
    // An idle client losing its connection must not crash the process; the next query gets a fresh one.
    const log = jsonLog(SERVICE_NAME);
    pool.on('error', (error) => log('warn', 'idle PostgreSQL client failed', { error: error.message }));
    return pool;
  },
};

/** Closes the pool last, after the runtime has stopped consuming (onApplicationShutdown runs after destroy hooks). */
@Injectable()
export class PgPoolCloser implements OnApplicationShutdown {
  private closed = false;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
