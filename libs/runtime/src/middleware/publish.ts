import type { StageMiddleware } from './types.js';

/**
 * Produces what the rest of the chain returned (acks=all) before the record counts as done, so an input
 * offset is committed only after its outputs are durable. A cache that answers itself is published too.
 */
export const publishMiddleware: StageMiddleware = async (context, next) => {
  const emits = await next();
  await context.services.producer.publish(emits);
  return emits;
};
