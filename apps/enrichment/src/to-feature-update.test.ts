import type { SupportMessageReceived } from '@spine/schemas';
import { toFeatureUpdate } from './to-feature-update.js';

describe('toFeatureUpdate', () => {
  it('takes the id, customer, time, body length and exact order amount', () => {
    const occurredAt = new Date('2024-05-01T12:00:00Z');
    const message: SupportMessageReceived = {
      metadata: { eventId: 'e-1', occurredAt, receivedAt: new Date(), source: 'crm', correlationId: 'c' },
      customerId: 'cust-1',
      channel: 'EMAIL',
      subject: null,
      body: 'héllo 👋',
      orderAmount: '19.90',
    };
    expect(toFeatureUpdate(message)).toEqual({
      eventId: 'e-1',
      customerId: 'cust-1',
      occurredAt,
      bodyLength: 'héllo 👋'.length,
      orderAmount: '19.90',
    });
  });
});
