import { Counter, type Registry } from 'prom-client';
import { Authenticator, TokenBucketLimiter } from '@spine/edge';
import { bodyLimitFromEnv } from './json-body.js';

/** The process's authentication, rate limiting and body limit, built once from the environment. */
export interface EdgeSecurity {
  readonly authenticator: Authenticator;
  /** Undefined when SPINE_RATE_LIMIT_PER_SECOND=0. */
  readonly limiter: TokenBucketLimiter | undefined;
  readonly bodyLimitBytes: number;
  /** spine_http_refused_total{status,reason}: requests refused before they reached a handler. */
  readonly refused: Counter<'status' | 'reason'>;
}

let shared: EdgeSecurity | undefined;

/** One per process (guards of several controllers share the caches and buckets). */
export function edgeSecurity(service: string, registry: Registry): EdgeSecurity {
  shared ??= {
    authenticator: Authenticator.fromEnv(service),
    limiter: TokenBucketLimiter.fromEnv(),
    bodyLimitBytes: bodyLimitFromEnv(),
    refused: new Counter({ name: 'spine_http_refused_total', help: 'HTTP requests refused before their handler (401, 403, 429, 4xx body, 503 credentials unverifiable)', labelNames: ['status', 'reason'], registers: [registry] }),
  };
  return shared;
}
