import { spinePlatform } from '@spine/platform';
import { loadSchemaCatalog, requireSchema } from '@spine/schemas';
import { EventEnvelopeDto } from './dto/event-envelope.dto.js';
import type { EventRoute } from './event-routes.js';
import { headerValue, toEventRecord } from './to-event-value.js';

const receivedAt = new Date('2024-05-01T12:00:00.000Z');
const context = { receivedAt, newEventId: () => '00000000-0000-4000-8000-000000000001' };
const payload = { customerId: 'cust-1', channel: 'CHAT', subject: null, body: 'hi', orderAmount: null };

async function route(): Promise<EventRoute> {
  const topic = spinePlatform.ingestRoutes.get('support.message')!;
  return { type: 'support.message', topic, keyField: 'customerId', valueSchema: requireSchema(await loadSchemaCatalog(), topic.value!) };
}

const envelope = (fields: Partial<EventEnvelopeDto>) => Object.assign(new EventEnvelopeDto(), { type: 'support.message', source: 'crm', ...fields });

describe('toEventRecord', () => {
  it('fills the defaults: new eventId, occurredAt = receivedAt, correlationId = eventId; keys by the route key field', async () => {
    const r = await route();
    const record = toEventRecord({ route: r, envelope: envelope({}), payload }, context);
    expect(record.key).toBe('cust-1');
    expect(record.value).toEqual({
      metadata: { eventId: '00000000-0000-4000-8000-000000000001', occurredAt: receivedAt, receivedAt, source: 'crm', correlationId: '00000000-0000-4000-8000-000000000001' },
      ...payload,
    });
    expect(r.valueSchema.type.isValid(record.value)).toBe(true);
  });

  it('keeps what the client chose; the header is the correlation fallback', async () => {
    const r = await route();
    const chosen = envelope({ eventId: '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10', occurredAt: '2024-04-30T08:00:00+02:00' });
    const record = toEventRecord({ route: r, envelope: chosen, payload }, { ...context, correlationHeader: 'from-header' });
    expect(record.value.metadata).toEqual({ eventId: chosen.eventId, occurredAt: new Date('2024-04-30T06:00:00Z'), receivedAt, source: 'crm', correlationId: 'from-header' });
    const own = toEventRecord({ route: r, envelope: envelope({ correlationId: 'mine' }), payload }, { ...context, correlationHeader: 'from-header' });
    expect(own.value.metadata.correlationId).toBe('mine');
  });
});

describe('headerValue', () => {
  it('takes the first non-blank value, trimmed', () => {
    expect(headerValue(['  a ', 'b'])).toBe('a');
    expect(headerValue('   ')).toBeUndefined();
    expect(headerValue(undefined)).toBeUndefined();
  });
});
