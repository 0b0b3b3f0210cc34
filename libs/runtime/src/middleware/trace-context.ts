import { SpanKind, extractTraceContext, inSpan, tracingEnabled } from '@spine/telemetry';
import type { StageMiddleware } from './types.js';

const W3C_HEADERS = ['traceparent', 'tracestate'] as const;

/**
 * Continues the trace the record's W3C headers carry with a consumer span around everything inside. With
 * tracing off it makes no span and only carries the received trace headers onto the outputs.
 */
export const traceContextMiddleware: StageMiddleware = async (context, next) => {
  if (!tracingEnabled()) {
    const emits = await next();
    const carried = W3C_HEADERS.filter((h) => context.headers[h] !== undefined);
    if (!carried.length) return emits;
    return emits.map((emit) => ({ ...emit, headers: { ...Object.fromEntries(carried.map((h) => [h, context.headers[h]!])), ...(emit.headers ?? {}) } }));
  }
  return inSpan(
    `${context.stage.name} process`,
    SpanKind.CONSUMER,
    { 'messaging.system': 'kafka', 'messaging.destination.name': context.topic, 'messaging.kafka.offset': context.record.offset },
    extractTraceContext(context.headers),
    () => next(),
  );
};
