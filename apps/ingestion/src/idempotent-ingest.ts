import { HttpStatus, Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { IdempotencyStore, isValidIdempotencyKey, requestHash, type Principal } from '@spine/edge';
import { PG_POOL, databaseSchema } from '@spine/postgres';
import { jsonLog } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { EventsService, type IngestAnswer } from './events.service.js';
import type { ValidatedEvent } from './ingest-body.pipe.js';

const log = jsonLog(SERVICE_NAME);
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * POST /v1/events with an `Idempotency-Key` header, per credential: the first request with the key publishes
 * and its answer (202, or a 400 the schema gave) is stored; a retry with the same key and the same body gets
 * that answer again and publishes nothing; the same key with another body is a 422; a request arriving while
 * the first is still running waits for its answer (up to SPINE_IDEMPOTENCY_WAIT_MS), else 409. A 503 stores
 * nothing final: the retry publishes again, under the first attempt's event ids. Keys live
 * SPINE_IDEMPOTENCY_RETENTION_HOURS (24) and are purged every 10 minutes.
 */
@Injectable()
export class IdempotentIngest implements OnModuleInit, OnApplicationShutdown {
  private readonly store: IdempotencyStore;
  private purger: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    private readonly events: EventsService,
  ) {
    this.store = IdempotencyStore.fromEnv(pool, databaseSchema());
  }

  async onModuleInit(): Promise<void> {
    await this.store.migrate();
    const purge = () =>
      this.store.purgeExpired().then(
        (n) => n && log('info', 'purged expired idempotency keys', { count: n }),
        (error: Error) => log('warn', 'idempotency purge failed', { error: error.message }),
      );
    void purge();
    this.purger = setInterval(purge, PURGE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purger);
  }

  async accept(input: { key: string; principal: Principal; body: unknown; events: readonly ValidatedEvent[]; correlationHeader: string | undefined }): Promise<IngestAnswer & { replayed?: boolean }> {
    if (!isValidIdempotencyKey(input.key)) {
      const message = 'Idempotency-Key must be 1-255 visible ASCII characters (a UUID is a good choice)';
      return { status: HttpStatus.BAD_REQUEST, body: { statusCode: 400, error: 'Bad Request', message, issues: [{ field: 'Idempotency-Key', message }] } };
    }
    const hash = requestHash({ body: input.body, correlationHeader: input.correlationHeader ?? null });
    let acquired;
    try {
      acquired = await this.store.acquire(input.principal.id, input.key, hash, EventsService.eventIdsOf(input.events));
    } catch (error) {
      log('warn', 'idempotency store unavailable', { error: (error as Error).message });
      return unavailable('the idempotency store (PostgreSQL) is unavailable, so the request cannot be deduplicated; retry later');
    }
    switch (acquired.kind) {
      case 'replay':
        return { status: acquired.status, body: acquired.response as Record<string, unknown>, replayed: true };
      case 'mismatch':
        return {
          status: HttpStatus.UNPROCESSABLE_ENTITY,
          body: { statusCode: 422, error: 'Unprocessable Entity', message: 'this Idempotency-Key was already used with a different request body; use a new key for a new request' },
        };
      case 'in-progress':
        return {
          status: HttpStatus.CONFLICT,
          retryAfterSeconds: 1,
          body: { statusCode: 409, error: 'Conflict', message: 'a request with this Idempotency-Key is still being processed; retry shortly to get its answer' },
        };
    }
    let answer: IngestAnswer;
    try {
      answer = await this.events.accept(input.events, input.correlationHeader, acquired.eventIds);
    } catch (error) {
      await this.store.release(input.principal.id, input.key).catch(() => undefined);
      throw error;
    }
    try {
      if (answer.status >= 500) await this.store.release(input.principal.id, input.key);
      else await this.store.complete(input.principal.id, input.key, answer.status, answer.body);
    } catch (error) {
      // Published but not recorded: a retry would publish again, under the same event ids (deduplicated downstream).
      log('warn', 'could not record an idempotent answer', { error: (error as Error).message });
    }
    return answer;
  }
}

function unavailable(message: string): IngestAnswer {
  return { status: HttpStatus.SERVICE_UNAVAILABLE, retryAfterSeconds: 2, body: { statusCode: 503, error: 'Service Unavailable', message } };
}
