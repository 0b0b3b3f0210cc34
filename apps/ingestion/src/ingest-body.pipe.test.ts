import { BadRequestException } from '@nestjs/common';
import { IngestBodyPipe } from './ingest-body.pipe.js';

const event = { type: 'support.message', source: 'crm', customerId: 'c1', channel: 'EMAIL', body: 'hello' };

type Issue = { field: string; message: string };

async function issuesOf(body: unknown): Promise<Issue[]> {
  const error: unknown = await new IngestBodyPipe().transform(body).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BadRequestException)) throw new Error(`expected a 400, got ${String(error)}`);
  return (error.getResponse() as { issues: Issue[] }).issues;
}

describe('IngestBodyPipe', () => {
  it('accepts one event or a batch, as a list of events', async () => {
    const { type, source, ...payload } = event;
    await expect(new IngestBodyPipe().transform(event)).resolves.toEqual([
      expect.objectContaining({ envelope: expect.objectContaining({ type, source }), payload: expect.objectContaining(payload) }),
    ]);
    await expect(new IngestBodyPipe().transform({ events: [event, event] })).resolves.toHaveLength(2);
  });

  it('names each bad field of a batch with a dotted path, one reason per field', async () => {
    const issues = await issuesOf({ events: [event, { ...event, channel: 'FAX', orderAmount: 12, extra: true }], foo: 1 });
    expect(issues.map((i) => i.field).sort()).toEqual(['events.1.channel', 'events.1.extra', 'events.1.orderAmount', 'foo']);
  });

  it.each([
    ['orderAmount', '12.345'],
    ['orderAmount', '12345678901'],
    ['occurredAt', '2024-05-01'],
    ['occurredAt', '2024-02-31T00:00:00Z'],
    ['eventId', 'not-a-uuid'],
    ['subject', 'x'.repeat(501)],
    ['source', ''],
    ['type', 'order.placed'],
  ])('refuses %s = %j', async (field, value) => {
    expect((await issuesOf({ ...event, [field]: value })).map((i) => i.field)).toEqual([field]);
  });

  it('accepts the optional fields as null or valid', async () => {
    const ok = { ...event, subject: null, orderAmount: '1234567890.99', occurredAt: '2024-05-01T12:30:00.250+02:00' };
    await expect(new IngestBodyPipe().transform(ok)).resolves.toHaveLength(1);
  });

  it('refuses empty, oversized and non-array batches and non-object bodies', async () => {
    expect(await issuesOf({ events: [] })).toEqual([{ field: 'events', message: expect.stringContaining('at least 1') }]);
    expect(await issuesOf({ events: Array.from({ length: 501 }, () => event) })).toEqual([
      { field: 'events', message: expect.stringContaining('no more than 500') },
    ]);
    expect((await issuesOf({ events: 'x' })).map((i) => i.field)).toEqual(['events']);
    expect((await issuesOf([event])).map((i) => i.field)).toEqual(['(root)']);
  });
});
