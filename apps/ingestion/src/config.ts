/** The ingestion service's name (logs, metrics, Kafka client id); everything else is configured by the runtime's env. */
import { spinePlatform } from '@spine/platform';

export const SERVICE = spinePlatform.service('ingestion');
export const SERVICE_NAME = SERVICE.name;
export const DEFAULT_PORT = SERVICE.port;
export const DATABASE_PURPOSE = SERVICE.database ?? 'API keys and idempotency keys are kept in PostgreSQL';

/** How long a publish may take before the request is answered 503 (SPINE_PUBLISH_TIMEOUT_MS, default 1000). */
export function publishTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.SPINE_PUBLISH_TIMEOUT_MS ?? 1_000);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`SPINE_PUBLISH_TIMEOUT_MS must be a positive number of milliseconds, got "${env.SPINE_PUBLISH_TIMEOUT_MS}"`);
  return value;
}

/** Retry-After of a 503 while Kafka is unavailable, in seconds. */
export const UNAVAILABLE_RETRY_AFTER_S = 2;
