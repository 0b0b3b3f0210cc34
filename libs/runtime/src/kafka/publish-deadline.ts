import { DependencyUnavailableError } from '../stage/failures.js';
import type { Emit } from '../stage/types.js';
import type { BrokerHealth } from './broker-health.js';
import type { Published, SpineProducer } from './producer.js';

/** Kafka is known to be unreachable, or did not acknowledge within the deadline: nothing was accepted. */
export class BrokerUnavailableError extends DependencyUnavailableError {
  constructor(
    message: string,
    /** The records may still reach Kafka later (they were in flight when the deadline passed). */
    readonly maybePublished: boolean,
  ) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

/**
 * Publishes with a deadline, for callers that must answer quickly (HTTP ingestion): kafkajs waits up to its
 * request timeout (30 s) and retries, far longer than a client should wait. When the broker is known to be
 * down this fails at once and publishes nothing; past `deadlineMs` it fails, and records still queued are
 * withdrawn (never sent) while records already in flight may still land (under the same event ids, which the
 * caller reported, so a retry is deduplicated downstream). A timeout makes the broker health probe at once.
 */
export async function publishWithin(producer: SpineProducer, emits: readonly Emit[], deadlineMs: number, health?: BrokerHealth): Promise<Published[]> {
  if (health && !health.healthy) {
    throw new BrokerUnavailableError(`Kafka is unreachable (${health.status.lastError ?? 'unknown'}); not published`, false);
  }
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new BrokerUnavailableError(`Kafka did not acknowledge within ${deadlineMs} ms`, true);
      abort.abort(error);
      health?.reportFailure(error.message);
      reject(error);
    }, deadlineMs);
  });
  const publishing = producer.publish(emits, { signal: abort.signal });
  publishing.catch(() => undefined); // settles after the deadline's answer, if ever: nobody waits for it then
  try {
    return await Promise.race([publishing, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
