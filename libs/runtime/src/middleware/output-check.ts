import { PermanentError } from '../stage/failures.js';
import type { StageMiddleware } from './types.js';

/** Emitting to a topic the stage did not declare is a programming error: the record is dead-lettered. */
export const outputCheckMiddleware: StageMiddleware = async (context, next) => {
  const emits = await next();
  for (const emit of emits) {
    if (!context.stage.outputs.some((o) => o.name === emit.topic?.name)) {
      throw new PermanentError(`stage ${context.stage.name} emitted to "${emit.topic?.name}", which is not among its declared outputs (${context.stage.outputs.map((o) => o.name).join(', ') || 'none'})`);
    }
  }
  return emits;
};
