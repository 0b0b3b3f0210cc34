import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { databaseUrl } from './env.js';

/** Injection token of the process's one pg.Pool. */
export const PG_POOL = Symbol('PG_POOL');

/** Closes the pool on application shutdown, which runs after the runtime has drained its stages. */
@Injectable()
class PgPoolCloser implements OnApplicationShutdown {
  private closed = false;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** One pg.Pool per process from DATABASE_URL, injectable as PG_POOL, closed last on shutdown. */
@Module({})
export class PostgresModule {
  static forRoot(options: { service: string; purpose: string }): DynamicModule {
    return {
      module: PostgresModule,
      providers: [
        {
          provide: PG_POOL,
          useFactory: (): pg.Pool => {
            const pool = new pg.Pool({ connectionString: databaseUrl(options.service, options.purpose), application_name: `spine-${options.service}` });
            // An idle client losing its connection must not crash the process; the next query gets a fresh one.
            pool.on('error', (error) => process.stderr.write(`${JSON.stringify({ level: 'warn', service: options.service, message: 'idle PostgreSQL client failed', error: error.message })}\n`));
            return pool;
          },
        },
        PgPoolCloser,
      ],
      exports: [PG_POOL],
    };
  }
}
