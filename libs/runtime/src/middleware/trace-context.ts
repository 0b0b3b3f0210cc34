import { SpanKind, extractTraceContext, inSpan } from '@spine/telemetry';
import type { StageMiddleware } from './types.js';

/** Continues the trace the record's W3C headers carry with a consumer span around everything inside. */
export const traceContextMiddleware: StageMiddleware = (context, next) =>
  inSpan(
    `${context.stage.name} process`,
    SpanKind.CONSUMER,
    { 'messaging.system': 'kafka', 'messaging.destination.name': context.topic, 'messaging.kafka.offset': context.record.offset },
    extractTraceContext(context.headers),
    () => next(),
  );
