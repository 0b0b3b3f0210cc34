import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { spinePlatform } from '@spine/platform';
import { DLQ_HEADERS, SpineContext } from '@spine/runtime';
import type { SchemaCatalog } from '@spine/schemas';
import { CORRELATION_HEADER } from '@spine/telemetry';
import { asyncApiDocument, type Deployment } from '@spine/topology';

/** The headers every Spine record carries besides its key and value. */
const CONTEXT_HEADERS = {
  traceparent: 'W3C Trace Context: the trace and parent span the record belongs to (one trace spans ingestion to sink).',
  tracestate: 'W3C Trace Context vendor state, when the producer had any.',
  [CORRELATION_HEADER]: "Correlation id, carried unchanged through every stage (also in the value's metadata.correlationId).",
};

/**
 * Spine's AsyncAPI document for a deployment. The committed `schemas/asyncapi.json` is this with the default
 * deployment and no environment (tools/asyncapi/generate.mjs); the service serves it for its own deployment,
 * brokers and registry (credentials never appear: the registry URL loses any user info).
 */
export function spineAsyncApi(deployment: Deployment, catalog: SchemaCatalog, env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  let registryUrl: string | undefined;
  if (env.SCHEMA_REGISTRY_URL) {
    const url = new URL(env.SCHEMA_REGISTRY_URL);
    url.username = '';
    url.password = '';
    registryUrl = url.toString().replace(/\/$/, '');
  }
  return asyncApiDocument(spinePlatform, deployment, catalog, {
    contextHeaders: CONTEXT_HEADERS,
    deadLetterHeaders: DLQ_HEADERS,
    kafka: { brokers, secure: env.KAFKA_SSL === 'true' },
    ...(registryUrl ? { registryUrl } : {}),
  });
}

/** `GET /asyncapi.json`: every topic, message and stage operation of this deployment; unauthenticated like /openapi.json. */
@ApiExcludeController()
@Controller()
export class AsyncApiController {
  private document: Record<string, unknown> | undefined;

  constructor(private readonly context: SpineContext) {}

  @Get('asyncapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  asyncApi(): Record<string, unknown> {
    return (this.document ??= spineAsyncApi(this.context.deployment, this.context.catalog, process.env));
  }
}
