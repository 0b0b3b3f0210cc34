import { CORRELATION_HEADER, correlationIdFrom } from '@spine/telemetry';
import type { StageMiddleware } from './types.js';

/** Reads (or creates) the correlation id and carries it onto every output that does not set its own. */
export const correlationIdMiddleware: StageMiddleware = async (context, next) => {
  context.correlationId = correlationIdFrom(context.headers);
  context.headers[CORRELATION_HEADER] = context.correlationId;
  const emits = await next();
  return emits.map((emit) => ({ ...emit, headers: { [CORRELATION_HEADER]: context.correlationId, ...(emit.headers ?? {}) } }));
};
