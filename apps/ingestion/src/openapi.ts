import type { OpenAPIObject } from '@nestjs/swagger';
import { spinePlatform } from '@spine/platform';
import { jsonSchemaOf } from '@spine/serde';
import { EventRoutes, FILLED_FIELDS } from './event-routes.js';

const componentName = (type: string) => `Event.${type}`;

/** One OpenAPI body schema per routed event type (filled in from the Avro schemas by addEventSchemas). */
export const EVENT_SCHEMA_REFS = [...spinePlatform.ingestRoutes.keys()].map((type) => ({ $ref: `#/components/schemas/${componentName(type)}` }));

/**
 * Adds each event type's body schema to the OpenAPI document: the envelope (type fixed to the event type,
 * source, eventId, occurredAt, correlationId) plus the payload fields of the type's Avro schema, with
 * their constraints, so the document is generated from the same schemas the validation uses.
 */
export async function addEventSchemas(document: OpenAPIObject): Promise<void> {
  const routes = await EventRoutes.load();
  const schemas = (document.components ??= {}).schemas ??= {};
  const envelope = schemas.EventEnvelopeDto as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  for (const route of routes.all) {
    const payload = jsonSchemaOf(route.valueSchema, { omitFields: FILLED_FIELDS }) as { properties?: Record<string, unknown>; required?: string[]; $defs?: Record<string, unknown>; description?: string };
    schemas[componentName(route.type)] = {
      type: 'object',
      description: `${payload.description ?? route.type} Published to ${route.topic.name}, keyed by ${route.keyField}.`,
      properties: { ...envelope?.properties, type: { type: 'string', enum: [route.type] }, ...payload.properties },
      required: [...new Set([...(envelope?.required ?? []), ...(payload.required ?? [])])],
      additionalProperties: false,
      ...(payload.$defs ? { $defs: payload.$defs } : {}),
    } as never;
  }
}
