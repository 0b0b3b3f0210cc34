import { context, propagation, trace, type Context, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface Telemetry {
  shutdown(): Promise<void>;
  flush(): Promise<void>;
}

let installed: { provider: TracerProvider; service: string } | undefined;
let enabled = false;

/**
 * Whether spans are worth making: an exporter is configured (OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT), a
 * processor was passed in, or SPINE_TRACING=on. When off, Spine makes no spans at all (no per-record span
 * work) and only carries the W3C headers it received onto what it produces, so a traced service further
 * down still continues the trace.
 */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Installs tracing for this process once: W3C trace context in Kafka headers and HTTP, async-context
 * propagation, and an OTLP/HTTP exporter when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set. Without an
 * endpoint (and without SPINE_TRACING=on) no spans are made; received trace headers are passed on.
 */
export function initTelemetry(service: string, extraProcessors: SpanProcessor[] = []): Telemetry {
  if (!installed) {
    const processors = [...extraProcessors];
    if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
      processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: 500 }));
    }
    enabled = processors.length > 0 || process.env.SPINE_TRACING === 'on';
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? `spine-${service}` }),
      spanProcessors: processors,
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
    trace.setGlobalTracerProvider(provider);
    installed = { provider, service };
  }
  const { provider } = installed;
  return { shutdown: () => provider.shutdown(), flush: () => provider.forceFlush() };
}

export function tracer() {
  return trace.getTracer('spine');
}

/** Writes the active trace context (traceparent, tracestate, baggage) into `headers`. */
export function injectTraceContext(headers: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

export function extractTraceContext(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(context.active(), headers);
}

export function currentTraceId(): string | null {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : null;
}

/** Runs `work` inside a span (child of `parent`), recording errors; the span ends when the promise settles. */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Record<string, string | number>, parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind, context };
