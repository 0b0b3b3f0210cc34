export { initTelemetry, tracingEnabled, tracer, injectTraceContext, extractTraceContext, currentTraceId, inSpan, SpanKind, context, type Telemetry } from './tracing.js';
export { CORRELATION_HEADER, correlationIdFrom } from './correlation.js';
