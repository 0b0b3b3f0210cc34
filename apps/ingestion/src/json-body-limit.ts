import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** Largest JSON body POST /v1/events takes (500 events with long bodies); larger answers 413. */
export const JSON_BODY_LIMIT = '5mb';

/**
 * Raises the JSON body limit from Express's 100 kB. Providers are built while the app is created, before
 * `init()` registers Nest's default parsers, and Nest skips its own `jsonParser` when one is already
 * installed, so the parser registered here is the one in effect.
 */
@Injectable()
export class JsonBodyLimit {
  constructor(adapterHost: HttpAdapterHost) {
    const adapter = adapterHost.httpAdapter;
    if (!adapter?.useBodyParser) throw new Error('ingestion needs an HTTP adapter with body parsers (Express)');
    adapter.useBodyParser('json', false, { limit: JSON_BODY_LIMIT });
  }
}
