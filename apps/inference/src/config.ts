/** Environment the inference service reads; everything else (Kafka, registry, topics) is the runtime's. */

import { spinePlatform } from '@spine/platform';

/** This service's registry entry (name, port). */
export const SERVICE = spinePlatform.service('inference');
export const SERVICE_NAME = SERVICE.name;

/**
 * SPINE_INFERENCE_DELAY_MS (default 0): an artificial wait added to every record before it is classified.
 * For tests only: it simulates a slow model (an LLM call taking seconds) to exercise heartbeats, back-pressure,
 * draining on shutdown and consumer lag. Leave unset in production.
 */
export function inferenceDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SPINE_INFERENCE_DELAY_MS?.trim();
  if (!raw) return 0;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new Error(`${SERVICE_NAME}: SPINE_INFERENCE_DELAY_MS must be a non-negative integer of milliseconds, got "${raw}"`);
  }
  return ms;
}
