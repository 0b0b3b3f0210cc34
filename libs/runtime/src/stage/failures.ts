/** Marks an error as not worth retrying (bad data, contract violations): it goes to the dead-letter topic at once. */
export class PermanentError extends Error {
  readonly permanent = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export function isPermanent(error: unknown): boolean {
  if (error && typeof error === 'object' && 'permanent' in error) return (error as { permanent: unknown }).permanent === true;
  // Programming errors on data (bad shapes) do not heal with time either.
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention.
const POSTGRES_UNAVAILABLE = /^(08|53|57)/;

/**
 * An outage of something the stage depends on (Kafka, the registry, a database), not a problem with the
 * record. Such records are never dead-lettered: past their retries the batch fails and is redelivered from
 * the last committed offset once the dependency is back, so an outage cannot empty a topic into its DLQ.
 */
export function isInfrastructure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { name } = e;
    const code = (e as { code?: unknown }).code;
    if (name.startsWith('KafkaJS') || name === 'RegistryUnavailableError') return true;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
  }
  return false;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, initialDelayMs: 200, maxDelayMs: 5_000 };

/** Exponential backoff with full jitter, so retries of many records do not stampede a recovering dependency. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
