import { DeadlineExceededError } from '../stage/failures.js';
import type { StageMiddleware } from './types.js';

/**
 * Gives each attempt the stage's deadline: the handler's `signal` aborts when it passes, and the attempt
 * fails with DeadlineExceededError (transient: retried, then dead-lettered) even if the handler ignores
 * the signal, so a hung model call cannot hold its partition forever.
 */
export const deadlineMiddleware: StageMiddleware = async (context, next) => {
  const deadlineMs = context.stage.deadlineMs;
  const controller = new AbortController();
  context.signal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(deadlineMs);
      controller.abort(error);
      reject(error);
    }, deadlineMs);
  });
  try {
    return await Promise.race([next(), expired]);
  } finally {
    clearTimeout(timer);
  }
};
