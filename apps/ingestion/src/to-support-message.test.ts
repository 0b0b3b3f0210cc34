import type { SupportEventDto } from './dto/support-event.dto.js';
import { headerValue, toSupportMessage } from './to-support-message.js';

const receivedAt = new Date('2024-05-01T12:00:00.000Z');
const context = { receivedAt, newEventId: () => '00000000-0000-4000-8000-000000000001' };
const minimal = { type: 'support.message', source: 'crm', customerId: 'cust-1', channel: 'CHAT', body: 'hi' } as SupportEventDto;

describe('toSupportMessage', () => {
  it('fills the defaults: new eventId, occurredAt = receivedAt, correlationId = eventId, nulls', () => {
    expect(toSupportMessage(minimal, context)).toEqual({
      metadata: {
        eventId: '00000000-0000-4000-8000-000000000001',
        occurredAt: receivedAt,
        receivedAt,
        source: 'crm',
        correlationId: '00000000-0000-4000-8000-000000000001',
      },
      customerId: 'cust-1',
      channel: 'CHAT',
      subject: null,
      body: 'hi',
      orderAmount: null,
    });
  });

  it('keeps what the client chose', () => {
    const value = toSupportMessage(
      {
        ...minimal,
        subject: 'Refund',
        orderAmount: '12.5',
        occurredAt: '2024-04-30T10:00:00+02:00',
        eventId: '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10',
        correlationId: 'order-77',
      },
      { ...context, correlationHeader: 'from-header' },
    );
    expect(value.metadata).toEqual({
      eventId: '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b10',
      occurredAt: new Date('2024-04-30T08:00:00.000Z'),
      receivedAt,
      source: 'crm',
      correlationId: 'order-77',
    });
    expect(value.subject).toBe('Refund');
    expect(value.orderAmount).toBe('12.5');
  });

  it('takes the correlation id from the header when the event has none', () => {
    expect(toSupportMessage(minimal, { ...context, correlationHeader: 'req-9' }).metadata.correlationId).toBe('req-9');
  });
});

describe('headerValue', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    [' abc ', 'abc'],
    [['first', 'second'], 'first'],
  ])('%j -> %j', (header, expected) => {
    expect(headerValue(header as string | string[] | undefined)).toBe(expected);
  });
});
