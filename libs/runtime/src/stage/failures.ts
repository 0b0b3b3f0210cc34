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
