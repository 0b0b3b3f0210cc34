import { f, type Resolved } from './fields.js';

/** Fields every adapter kind has; a kind may change their defaults (see each kind's `defaults`). */
export const COMMON_FIELDS = {
  name: f.string({ description: 'Model name, as results and metrics report it (e.g. "fraud-lr").', minLength: 1 }),
  version: f.string({ description: 'Model version this adapter serves (e.g. "1.0.0"); metrics are labelled with it.', minLength: 1 }),
  timeoutMs: f.integer({
    description: "Per attempt: a backend call still running after this long is aborted and fails as a TransientError (ModelTimeoutError). The caller's signal aborts it too.",
    default: 10_000,
    min: 1,
  }),
  maxConcurrency: f.integer({ description: "Backend calls in flight at once per adapter; further calls wait for a slot (as long as the caller's signal allows).", default: 8, min: 1 }),
  retries: f.object({
    description: 'Retries of failed attempts (transient failures and outages; a refused input is not retried).',
    fields: {
      maxAttempts: f.integer({ description: 'Attempts per call, the first included (1 = no retry).', default: 3, min: 1, max: 20 }),
      initialDelayMs: f.integer({ description: 'Backoff before the 2nd attempt; doubles per attempt, with full jitter (a random half to all of it).', default: 100, min: 0 }),
      maxDelayMs: f.integer({ description: 'Ceiling of the backoff.', default: 2_000, min: 0 }),
      maxRetryAfterMs: f.integer({
        description: "Longest server-requested wait (429/503 `retry-after`) honoured in place; a longer one fails the call at once (transient) so the runtime retries later.",
        default: 30_000,
        min: 0,
      }),
    },
  }),
  circuitBreaker: f.object({
    description: 'Stops calling a failing backend: when open, calls fail fast with DependencyUnavailableError (records are redelivered, not dead-lettered); after the cool-down one probe is let through, and its success closes the circuit.',
    fields: {
      enabled: f.boolean({ description: 'Whether the breaker is used at all.', default: true }),
      consecutiveFailures: f.integer({ description: 'Opens after this many failed attempts in a row.', default: 5, min: 1 }),
      failureRate: f.number({ description: 'Opens when this share of the last `window` attempts failed (once `minimumCalls` were made).', default: 0.5, min: 0.01, max: 1 }),
      window: f.integer({ description: 'Attempts the failure rate is computed over.', default: 20, min: 2 }),
      minimumCalls: f.integer({ description: 'Attempts in the window before the failure rate counts.', default: 10, min: 1 }),
      cooldownMs: f.integer({ description: 'How long it stays open before a half-open probe.', default: 5_000, min: 1 }),
    },
  }),
  batching: f.object({
    description: 'Micro-batching: concurrent predict() calls are merged into one backend request (a tensor of many rows), for kinds whose backend takes batches.',
    fields: {
      enabled: f.boolean({ description: 'Merge concurrent calls.', default: false }),
      maxSize: f.integer({ description: 'Most inputs in one backend request.', default: 32, min: 1, max: 4096 }),
      maxWaitMs: f.integer({ description: 'How long the first input of a batch waits for others.', default: 2, min: 0, max: 1_000 }),
    },
  }),
} as const;

export type CommonConfig = Resolved<typeof COMMON_FIELDS>;

/** A kind's own defaults for common fields, e.g. in-process code is not retried. */
export type CommonDefaults = {
  readonly [K in keyof CommonConfig]?: CommonConfig[K] extends object ? Partial<CommonConfig[K]> : CommonConfig[K];
};
