/**
 * How a failure is handled follows from what it is, as the client that raised it says (kafkajs's
 * `retriable` flag and error types, PostgreSQL's SQLSTATE classes, network error codes) or as the code
 * says with Spine's own error classes:
 * - permanent: the record itself is the problem (bad bytes, a contract violation, a record the broker
 *   will never take): dead-lettered at once, the partition moves on;
 * - transient: may work on another try: retried with backoff, dead-lettered past the attempts;
 * - outage: a dependency is unavailable (Kafka, the registry, a database): retried, then the partition is
 *   rewound and redelivered once it answers again; never dead-lettered, so an outage cannot empty a topic
 *   into its dead letters.
 */
export type FailureKind = 'permanent' | 'transient' | 'outage';

/** Not worth retrying: the record goes to the dead-letter topic at once. */
export class PermanentError extends Error {
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Worth retrying; dead-lettered only once the stage's attempts are used up. */
export class TransientError extends Error {
  readonly retriable = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** A dependency is unavailable: the record is redelivered later, never dead-lettered. */
export class DependencyUnavailableError extends Error {
  readonly retriable = true;
  readonly outage = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** An attempt ran past the stage's deadline; its signal was aborted. Counts as a failed attempt. */
export class DeadlineExceededError extends TransientError {
  constructor(readonly deadlineMs: number) {
    super(`the attempt exceeded its deadline of ${deadlineMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * The record's key or value could not be decoded (bad framing, unknown schema id, schema mismatch). The
 * message names the part; the name stays the decoder's (WireFormatError, UnknownSchemaError, ...), so the
 * dead letter's error class says what went wrong and its message where.
 */
export class DecodeError extends PermanentError {
  constructor(
    readonly part: 'key' | 'value',
    cause: unknown,
  ) {
    super(`${part} could not be decoded: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = (cause as Error)?.name || 'DecodeError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention.
const POSTGRES_UNAVAILABLE = /^(08|53|57)/;
// Refusals that come from the cluster's configuration, not the record: fixing them is an operator's job.
const KAFKA_CONFIGURATION = /AUTHORIZATION_FAILED|SASL|UNSUPPORTED_VERSION/;

interface ErrorFacts {
  name?: string;
  code?: unknown;
  type?: unknown;
  retriable?: unknown;
  outage?: unknown;
  permanent?: unknown;
}

export function classifyFailure(error: unknown): FailureKind {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const facts = e as Error & ErrorFacts;
    if (facts.outage === true || facts.name === 'RegistryUnavailableError') return 'outage';
    if (typeof facts.code === 'string' && (NETWORK_CODES.has(facts.code) || POSTGRES_UNAVAILABLE.test(facts.code))) return 'outage';
    if (facts.name.startsWith('KafkaJS')) {
      const kind = classifyKafka(facts);
      if (kind) return kind;
      continue; // a wrapper (KafkaJSNonRetriableError from a bail): its cause decides
    }
    if (e instanceof PermanentError || facts.permanent === true) return 'permanent';
    if (e instanceof TransientError) return 'transient';
    // Programming errors on data (bad shapes) do not heal with time either.
    if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) return 'permanent';
  }
  return 'transient';
}

function classifyKafka(e: Error & ErrorFacts): FailureKind | undefined {
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return 'outage'; // kafkajs retried a retriable error and gave up
  if (typeof e.type === 'string' && KAFKA_CONFIGURATION.test(e.type)) return 'outage';
  if (e.name === 'KafkaJSSASLAuthenticationError') return 'outage';
  if (e.retriable === true) return 'outage';
  if (e.name === 'KafkaJSNonRetriableError' && e.cause instanceof Error) return undefined;
  // Non-retriable by kafkajs's own verdict: MESSAGE_TOO_LARGE, INVALID_RECORD, CORRUPT_MESSAGE, ...
  return 'permanent';
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
