import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, classifyFailure, defaultRetryPolicy } from '../stage/failures.js';
import type { StageMiddleware } from './types.js';

/** Runs the rest of the chain again on transient failures and outages, with exponential backoff and jitter. */
export const retryMiddleware: StageMiddleware = async (context, next) => {
  const policy = { ...defaultRetryPolicy, maxAttempts: context.stage.maxAttempts };
  for (context.attempt = 1; ; context.attempt++) {
    try {
      return await next();
    } catch (error) {
      const { metrics, log } = context.services;
      metrics.errors.inc({ stage: context.stage.name, error: (error as Error)?.name ?? 'Error' });
      if (classifyFailure(error) === 'permanent' || context.attempt >= policy.maxAttempts) throw error;
      log('warn', 'attempt failed; retrying', { stage: context.stage.name, topic: context.topic, partition: context.partition, offset: context.record.offset, attempt: context.attempt, error: (error as Error)?.message });
      await sleep(backoffDelay(policy, context.attempt));
    }
  }
};
