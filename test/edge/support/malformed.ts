import { prng } from '../../harness/prng.js';

/**
 * Malformed requests for the fuzz test, from a seeded PRNG (the same seed gives the same requests). Every
 * generator makes something invalid by construction: a test failure means ingestion accepted or crashed on it.
 */
export interface Malformed {
  readonly kind: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
}


const support = () => ({ type: 'support.message', source: 'fuzz', customerId: 'c-fuzz', channel: 'CHAT', subject: null, body: 'hello', orderAmount: '10.00' });
const payment = () => ({
  type: 'payment.transaction', source: 'fuzz', transactionId: 'tx-1', cardId: 'card-1', customerId: 'c-fuzz', merchantId: 'm-1',
  merchantCategory: 'OTHER', amount: '10.00', currency: 'EUR', country: 'DE', channel: 'ONLINE',
});

/** Values that are wrong for the field, whatever else the event holds (never null for an optional field). */
const WRONG: Record<string, unknown[]> = {
  type: [null, 42, true, [], {}, 'order.placed', '', 'x'.repeat(101)],
  source: [null, 7, false, [], {}, '', 's'.repeat(65)],
  customerId: [null, 1, true, ['c'], { id: 'c' }, '', 'c'.repeat(129)],
  channel: [null, 0, 'FAX', 'email', ['EMAIL'], {}],
  body: [null, 3.14, false, [], { text: 'x' }, '', 'b'.repeat(20_001)],
  subject: [12, true, ['s'], { s: 1 }, 's'.repeat(501)],
  orderAmount: [10.5, '12.345', '1e3', 'ten', '12345678901.00', true, [], {}],
  eventId: ['not-a-uuid', 123, [], '6f1c0c1e-8a3b-4c59-9a55-2d2c2f7f3b1'],
  occurredAt: ['2024-05-01', '2024-02-31T00:00:00Z', 'yesterday', 1714564800000, {}, '2024-05-01T12:00:00'],
  correlationId: ['', 5, [], 'x'.repeat(257)],
};
const WRONG_PAYMENT: Record<string, unknown[]> = {
  amount: [10, '10.001', '-', null, {}],
  currency: ['eur', 'EURO', 1, null],
  country: ['de', 'DEU', null, 44],
  merchantCategory: ['SHOES', 1, []],
  channel: ['CARD', null, 2],
  cardId: ['', null, 'k'.repeat(65)],
};

export function malformedRequests(count: number, seed: number, credentials: { valid: string; readOnly: string }): Malformed[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const json = { 'content-type': 'application/json' };

  const auth = (): Record<string, string> => {
    const roll = random();
    if (roll < 0.62) return { authorization: `Bearer ${credentials.valid}` };
    if (roll < 0.7) return { 'x-api-key': credentials.valid };
    if (roll < 0.76) return { authorization: `Bearer ${credentials.readOnly}` };
    if (roll < 0.83) return {};
    if (roll < 0.88) return { authorization: `Bearer ${credentials.valid.slice(0, -1)}${credentials.valid.endsWith('A') ? 'B' : 'A'}` };
    if (roll < 0.92) return { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` };
    if (roll < 0.96) return { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzY29wZSI6ImV2ZW50czp3cml0ZSJ9.' };
    return { 'x-api-key': 'spk_0123456789ab_' + 'Z'.repeat(43) };
  };
  const event = () => (random() < 0.7 ? support() : payment()) as Record<string, unknown>;
  const wrongTyped = () => {
    const e = event();
    const table = e.type === 'payment.transaction' && random() < 0.6 ? WRONG_PAYMENT : WRONG;
    const field = pick(Object.keys(table).filter((f) => table !== WRONG || e.type === 'support.message' || !['channel', 'body', 'subject', 'orderAmount'].includes(f)));
    e[field] = pick(table[field]!);
    if (random() < 0.3) e[`extra_${int(0, 9)}`] = random(); // unknown properties are refused too
    return e;
  };
  const nested = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

  const generators: Array<[number, () => Malformed]> = [
    [18, () => ({ kind: 'wrong types', headers: { ...json, ...auth() }, body: JSON.stringify(wrongTyped()) })],
    [8, () => ({ kind: 'wrong types in a batch', headers: { ...json, ...auth() }, body: JSON.stringify({ events: [support(), wrongTyped(), ...Array.from({ length: int(0, 5) }, support)] }) })],
    [12, () => {
      const text = JSON.stringify(event());
      const cut = int(1, text.length - 2);
      const variants = [text.slice(0, cut), `${text.slice(0, cut)}\u0007${text.slice(cut)}`, text.replace(/"/g, "'"), `${text.slice(0, -1)},}`, `${text} trailing`, `/* c */${text}`, text.replace(':', ''), 'NaN', '{"a":1}{"b":2}', '\u0000'];
      return { kind: 'bad JSON', headers: { ...json, ...auth() }, body: pick(variants) };
    }],
    [8, () => ({
      kind: 'wrong shape',
      headers: { ...json, ...auth() },
      body: pick(['[]', '[{"type":"support.message"}]', '"event"', '42', 'null', 'true', '{}', '{"events":"x"}', '{"events":[]}', '{"events":{}}', '{"events":[1,2]}', JSON.stringify({ events: [support()], extra: 1 }), JSON.stringify({ events: Array.from({ length: 501 }, support) })]),
    })],
    [6, () => {
      const depth = pick([65, 100, 1_000, 10_000, 100_000, 400_000]);
      const inner = random() < 0.5 ? nested(depth, '[', ']') : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return { kind: 'deeply nested', headers: { ...json, ...auth() }, body: `{"type":"support.message","source":"fuzz","customerId":"c","channel":"CHAT","body":${inner}}` };
    }],
    [8, () => {
      const text = JSON.stringify({ ...support(), body: 'MARK' });
      const bytes = pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]]);
      const [before, after] = text.split('MARK') as [string, string];
      return { kind: 'bad UTF-8', headers: { ...json, ...auth() }, body: new Uint8Array([...Buffer.from(before), ...bytes, ...Buffer.from(after)]) };
    }],
    [6, () => ({
      kind: 'lone surrogates',
      headers: { ...json, ...auth() },
      body: pick([
        JSON.stringify({ ...support(), body: 'x' }).replace('"body":"x"', '"body":"\\ud800"'),
        JSON.stringify({ ...support(), customerId: 'x' }).replace('"customerId":"x"', '"customerId":"a\\udfffb"'),
        JSON.stringify(support()).replace('"source"', '"\\ud83d"'),
      ]),
    })],
    [10, () => {
      const body = JSON.stringify(wrongTyped());
      const contentType = pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/jsonx', 'json', '*/*', 'application/json+xml']);
      return { kind: 'wrong content type', headers: { 'content-type': contentType, ...auth() }, body };
    }],
    [3, () => ({ kind: 'no content type', headers: auth(), body: new Uint8Array(Buffer.from(JSON.stringify(wrongTyped()))) })],
    [3, () => ({ kind: 'compressed', headers: { ...json, 'content-encoding': pick(['gzip', 'deflate', 'br']), ...auth() }, body: JSON.stringify(wrongTyped()) })],
    [2, () => ({ kind: 'huge string', headers: { ...json, ...auth() }, body: JSON.stringify({ ...support(), body: 'é'.repeat(int(20_001, 400_000)) }) })],
    [2, () => ({ kind: 'bad Idempotency-Key', headers: { ...json, ...auth(), 'idempotency-key': pick(['with space', 'k'.repeat(256), '\t']) }, body: JSON.stringify(support()) })],
    [2, () => ({ kind: 'wrong method or path', method: pick(['PUT', 'PATCH', 'GET', 'DELETE']), path: pick(['/v1/events', '/v1/events/x', '/v2/events', '/v1/event']), headers: { ...json, ...auth() }, body: JSON.stringify(support()) })],
  ];
  const total = generators.reduce((sum, [weight]) => sum + weight, 0);
  const out: Malformed[] = [];
  for (let i = 0; i < count; i++) {
    let roll = random() * total;
    const generator = generators.find(([weight]) => (roll -= weight) < 0)?.[1] ?? generators[0]![1];
    out.push(generator());
  }
  // A few bodies past the 5 MB limit, announced (Content-Length) or streamed (chunked), with and without a key.
  for (const headers of [{ ...json, authorization: `Bearer ${credentials.valid}` }, json]) {
    out.push({ kind: 'over the limit', headers, body: JSON.stringify({ ...support(), body: 'x'.repeat(6 * 1024 * 1024) }) });
    out.push({ kind: 'over the limit, chunked', headers, body: () => chunked(6 * 1024 * 1024) });
  }
  return out;
}

function chunked(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"type":"support.message","body":"'));
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

/** Raw HTTP that no client library would send: Node's parser refuses it with a 400 before any route. */
export const RAW_REQUESTS = [
  'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
  'POST /v1/events HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\nContent-Length: 2\r\n\r\n{}',
  'POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
  'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
  'POST /v1/ev\u0000ents HTTP/1.1\r\nHost: x\r\n\r\n',
  'GARBAGE\r\n\r\n',
];
