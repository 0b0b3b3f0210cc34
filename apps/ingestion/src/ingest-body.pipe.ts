import { Injectable, Optional, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { fromJson } from '@spine/serde';
import { ENVELOPE_FIELDS, EventEnvelopeDto, MAX_EVENTS_PER_REQUEST } from './dto/event-envelope.dto.js';
import { EventRoutes, FILLED_FIELDS, type EventRoute } from './event-routes.js';
import { badRequest, flattenValidationErrors, ROOT_FIELD, type FieldIssue } from './validation/issues.js';

/** One posted event, validated: its route, its envelope and its payload as the Avro value (metadata still to fill). */
export interface ValidatedEvent {
  readonly route: EventRoute;
  readonly envelope: EventEnvelopeDto;
  readonly payload: Record<string, unknown>;
}

/**
 * The body of POST /v1/events is either one event or `{ "events": [...] }`. Each event is routed by its
 * `type`, its envelope checked (class-validator) and the rest validated against the type's Avro schema,
 * every problem named at its dotted path. Nothing is published unless every event is valid.
 */
@Injectable()
export class IngestBodyPipe implements PipeTransform<unknown, Promise<ValidatedEvent[]>> {
  private routes: Promise<EventRoutes> | undefined;

  constructor(@Optional() routes?: EventRoutes) {
    if (routes) this.routes = Promise.resolve(routes);
  }

  async transform(body: unknown): Promise<ValidatedEvent[]> {
    if (!isObject(body)) {
      throw badRequest([{ field: ROOT_FIELD, message: 'the body must be a JSON object: one event, or { "events": [ ... ] }' }]);
    }
    const routes = await (this.routes ??= EventRoutes.load());
    const issues: FieldIssue[] = [];
    let events: Array<[unknown, string]>;
    if (Object.hasOwn(body, 'events')) {
      for (const key of Object.keys(body)) if (key !== 'events') issues.push({ field: key, message: `property ${key} should not exist` });
      const list = body.events;
      if (!Array.isArray(list)) throw badRequest([...issues, { field: 'events', message: 'events must be an array' }]);
      if (list.length < 1) throw badRequest([...issues, { field: 'events', message: 'events must contain at least 1 elements' }]);
      if (list.length > MAX_EVENTS_PER_REQUEST) throw badRequest([...issues, { field: 'events', message: `events must contain no more than ${MAX_EVENTS_PER_REQUEST} elements` }]);
      events = list.map((event, i) => [event, `events.${i}`]);
    } else {
      events = [[body, '']];
    }
    const validated: ValidatedEvent[] = [];
    for (const [event, path] of events) {
      const one = await validateEvent(event, path, routes);
      if ('issues' in one) issues.push(...one.issues);
      else validated.push(one);
    }
    if (issues.length) throw badRequest(issues);
    return validated;
  }
}

async function validateEvent(event: unknown, path: string, routes: EventRoutes): Promise<ValidatedEvent | { issues: FieldIssue[] }> {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (!isObject(event)) return { issues: [{ field: path || ROOT_FIELD, message: 'an event must be a JSON object' }] };
  const envelopeJson: Record<string, unknown> = {};
  const payloadJson: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event)) ((ENVELOPE_FIELDS as readonly string[]).includes(name) ? envelopeJson : payloadJson)[name] = value;

  const envelope = plainToInstance(EventEnvelopeDto, envelopeJson);
  const errors = await validate(envelope, { stopAtFirstError: true, validationError: { target: false, value: false } });
  const issues = flattenValidationErrors(errors, path);
  const route = typeof envelope.type === 'string' ? routes.get(envelope.type) : undefined;
  if (!route) {
    if (!issues.some((i) => i.field === at('type'))) {
      issues.push({ field: at('type'), message: `type must be one of the following values: ${routes.types.join(', ')}` });
    }
    return { issues };
  }
  const payload = fromJson(route.valueSchema, payloadJson, { ...(path ? { path } : {}), omitFields: FILLED_FIELDS });
  issues.push(...payload.issues);
  if (issues.length) return { issues };
  return { route, envelope, payload: payload.value as Record<string, unknown> };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
