import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { uniqueSqlName } from '../../../test/harness/ids.js';
import { CardActivityStore } from './card-activity-store.js';
import type { CardPayment, PaymentHistory, PriorPayment } from './types.js';
import { prng } from '../../../test/harness/prng.js';

// Real PostgreSQL only: these tests are about ON CONFLICT, snapshots, lock waits and deadlocks, which a mock
// would fake.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  throw new Error('DATABASE_URL is not set: start the stack with `bash scripts/stack.sh up` (then source /var/tmp/spine-root/stack.env)');
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = new Date('2024-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

// A schema of our own per run, so parallel runs and other test files never see each other's rows.
const schema = uniqueSqlName('card_activity');
const extraSchemas: string[] = [];
// max > 1 so concurrent calls really run on different connections.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
const store = new CardActivityStore(pool, { schema });
const table = `"${schema}".card_payments`;

const newCard = () => `card-${randomUUID()}`;
const newCustomer = () => `customer-${randomUUID()}`;
function payment(cardId: string, customerId: string, occurredAt: Date, more: Partial<CardPayment> = {}): CardPayment {
  return { eventId: randomUUID(), cardId, customerId, merchantId: 'merchant-1', country: 'DE', amount: '10.00', occurredAt, ...more };
}
const prior = (p: CardPayment): PriorPayment => ({
  amount: Number(p.amount),
  merchantId: p.merchantId,
  country: p.country,
  occurredAt: p.occurredAt,
});
const EMPTY: PaymentHistory = { cardPayments: [], customerPaymentsLast24h: 0 };

async function storedRows(where: string, values: unknown[]): Promise<number> {
  const result = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values);
  return result.rows[0]!.n;
}

beforeAll(async () => {
  await store.migrate();
});

afterAll(async () => {
  for (const name of [schema, ...extraSchemas]) await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await pool.end();
});

describe('CardActivityStore.recordAndRead', () => {
  it('gives a first payment an empty history and stores it', async () => {
    const p = payment(newCard(), newCustomer(), T0, { amount: '129.90' });
    expect(await store.recordAndRead(p)).toEqual(EMPTY);
    const row = await pool.query(`SELECT card_id, customer_id, merchant_id, country, amount, occurred_at FROM ${table} WHERE event_id = $1`, [
      p.eventId,
    ]);
    expect(row.rows).toEqual([
      { card_id: p.cardId, customer_id: p.customerId, merchant_id: 'merchant-1', country: 'DE', amount: '129.90', occurred_at: T0 },
    ]);
  });

  it("returns the card's earlier payments ascending by occurredAt, whatever order they arrived in", async () => {
    const card = newCard();
    const customer = newCustomer();
    const a = payment(card, customer, at(-3 * HOUR), { amount: '0.10', merchantId: 'm-a', country: 'FR' });
    const b = payment(card, customer, at(-2 * HOUR), { amount: '9999999999.99', merchantId: 'm-b', country: 'DE' });
    const c = payment(card, customer, at(-1 * HOUR), { amount: '5', merchantId: 'm-c', country: 'PL' });
    for (const p of [c, a, b]) await store.recordAndRead(p); // c first, a and b arrive late
    expect(await store.recordAndRead(payment(card, customer, T0))).toEqual<PaymentHistory>({
      cardPayments: [
        { amount: 0.1, merchantId: 'm-a', country: 'FR', occurredAt: a.occurredAt },
        { amount: 9999999999.99, merchantId: 'm-b', country: 'DE', occurredAt: b.occurredAt },
        { amount: 5, merchantId: 'm-c', country: 'PL', occurredAt: c.occurredAt },
      ],
      customerPaymentsLast24h: 3,
    });
  });

  it('bounds the card history to [t − 30 days, t], this payment excluded, other cards ignored', async () => {
    const card = newCard();
    const customer = newCustomer();
    const tooOld = payment(card, customer, at(-30 * DAY - 1));
    const oldest = payment(card, customer, at(-30 * DAY));
    const sameInstant = payment(card, customer, T0, { merchantId: 'tie' });
    const later = payment(card, customer, at(1));
    const otherCard = payment(newCard(), customer, at(-HOUR));
    for (const p of [tooOld, oldest, sameInstant, later, otherCard]) await store.recordAndRead(p);

    const target = payment(card, customer, T0);
    const history = await store.recordAndRead(target);
    expect(history.cardPayments).toEqual([prior(oldest), prior(sameInstant)]);
    // The customer window is 24 h: oldest is out of it, the other card's payment is in.
    expect(history.customerPaymentsLast24h).toBe(2);
  });

  it('uses 720 hours for 30 days, whatever the session time zone (DST)', async () => {
    // In Europe/Berlin, 2024-04-10T12:00Z minus interval '30 days' is 13:00Z (DST started on March 31); the
    // window must still start at exactly 720 hours before.
    const berlin = new pg.Pool({ connectionString: databaseUrl, max: 1, options: '-c TimeZone=Europe/Berlin' });
    try {
      const berlinStore = new CardActivityStore(berlin, { schema });
      const card = newCard();
      const customer = newCustomer();
      const t = new Date('2024-04-10T12:00:00.000Z');
      const edge = payment(card, customer, new Date(t.getTime() - 720 * HOUR));
      await berlinStore.recordAndRead(edge);
      expect((await berlinStore.recordAndRead(payment(card, customer, t))).cardPayments).toEqual([prior(edge)]);
    } finally {
      await berlin.end();
    }
  });

  it("counts the customer's payments on all cards in (t − 24 h, t], this payment excluded", async () => {
    const customer = newCustomer();
    const card = newCard();
    const exactlyADayBefore = payment(card, customer, at(-DAY));
    const justInside = payment(newCard(), customer, at(-DAY + 1));
    const sameInstant = payment(newCard(), customer, T0);
    const later = payment(card, customer, at(1));
    const otherCustomer = payment(card, newCustomer(), at(-HOUR));
    for (const p of [exactlyADayBefore, justInside, sameInstant, later, otherCustomer]) await store.recordAndRead(p);

    const history = await store.recordAndRead(payment(card, customer, T0));
    expect(history.customerPaymentsLast24h).toBe(2); // justInside, sameInstant
    // The card history has no customer filter: the other customer's payment on this card is in it.
    expect(history.cardPayments).toEqual([prior(exactlyADayBefore), prior(otherCustomer)]);
  });

  it('stores a redelivered payment once and returns the history it got the first time', async () => {
    const card = newCard();
    const customer = newCustomer();
    const first = payment(card, customer, T0);
    const second = payment(card, customer, at(HOUR));
    const firstResult = await store.recordAndRead(first);
    const secondResult = await store.recordAndRead(second);
    expect(secondResult).toEqual<PaymentHistory>({ cardPayments: [prior(first)], customerPaymentsLast24h: 1 });

    expect(await store.recordAndRead(first)).toEqual(firstResult);
    expect(await store.recordAndRead(second)).toEqual(secondResult);
    expect(await store.recordAndReadAll([second, second, first])).toEqual([secondResult, secondResult, firstResult]);
    expect(await storedRows('event_id = $1', [second.eventId])).toBe(1);
    expect(await storedRows('card_id = $1', [card])).toBe(2);
  });

  it('gives a redelivery the payments recorded meanwhile with occurredAt ≤ t, and only those', async () => {
    const card = newCard();
    const customer = newCustomer();
    const target = payment(card, customer, T0);
    const original = await store.recordAndRead(target);
    expect(original).toEqual(EMPTY);

    await store.recordAndRead(payment(card, customer, at(1))); // later: never part of target's history
    expect(await store.recordAndRead(target)).toEqual(original);

    const late = payment(card, customer, at(-HOUR)); // earlier, but arrives after target: now part of it
    const tie = payment(card, customer, T0); // the same instant, another event id: part of it too
    await store.recordAndRead(late);
    await store.recordAndRead(tie);
    expect(await store.recordAndRead(target)).toEqual<PaymentHistory>({
      cardPayments: [prior(late), prior(tie)],
      customerPaymentsLast24h: 2,
    });
  });

  it('rejects malformed payments before touching the database, naming the field', async () => {
    const card = newCard();
    const customer = newCustomer();
    const good = payment(card, customer, T0);
    const cases: [Partial<CardPayment>, RegExp][] = [
      [{ eventId: 'not-a-uuid' }, /^payment\.eventId/],
      [{ cardId: '' }, /cardId/],
      [{ customerId: 'a\u0000b' }, /customerId/],
      [{ merchantId: undefined as unknown as string }, /merchantId/],
      [{ occurredAt: new Date(Number.NaN) }, /occurredAt/],
    ];
    for (const amount of ['1.005', '1e3', '', '12,50', '12345678901.00', ' 1.00', '.5']) cases.push([{ amount }, /amount/]);
    for (const [change, message] of cases) {
      await expect(store.recordAndRead({ ...good, ...change })).rejects.toThrow(message);
    }
    // One bad payment fails its whole batch, and nothing of it is stored.
    await expect(store.recordAndReadAll([good, { ...payment(card, customer, T0), amount: '1.001' }])).rejects.toThrow(
      /payments\[1\]\.amount/,
    );
    expect(await storedRows('card_id = $1', [card])).toBe(0);
  });
});

describe('CardActivityStore.recordAndReadAll', () => {
  it('returns nothing for an empty batch, without a query', async () => {
    const { pool: counted, calls } = countingPool();
    expect(await new CardActivityStore(counted, { schema }).recordAndReadAll([])).toEqual([]);
    expect(calls()).toBe(0);
  });

  it("includes the batch's own earlier payments of the card, in input order", async () => {
    const card = newCard();
    const customer = newCustomer();
    const p1 = payment(card, customer, T0, { amount: '1.00' });
    const p2 = payment(card, customer, at(HOUR), { amount: '2.00' });
    expect(await store.recordAndReadAll([p1, p2])).toEqual<PaymentHistory[]>([
      EMPTY,
      { cardPayments: [prior(p1)], customerPaymentsLast24h: 1 },
    ]);

    // Input order, not event time: a payment does not see one that comes later in the batch, as one by one.
    const card2 = newCard();
    const q1 = payment(card2, customer, T0);
    const q2 = payment(card2, customer, at(HOUR));
    expect(await store.recordAndReadAll([q2, q1])).toEqual<PaymentHistory[]>([
      { cardPayments: [], customerPaymentsLast24h: 2 }, // q1 is not recorded yet; p1 and p2 are
      { cardPayments: [], customerPaymentsLast24h: 1 }, // q2 and p2 are later; p1 at the same instant counts
    ]);
    expect((await store.recordAndRead(q2)).cardPayments).toEqual([prior(q1)]); // the redelivery sees q1

    // The same event id twice: stored once, counted once by a payment after both.
    const card3 = newCard();
    const customer3 = newCustomer();
    const r1 = payment(card3, customer3, T0);
    const r2 = payment(card3, customer3, at(MINUTE));
    expect(await store.recordAndReadAll([r1, r1, r2])).toEqual<PaymentHistory[]>([
      EMPTY,
      EMPTY,
      { cardPayments: [prior(r1)], customerPaymentsLast24h: 1 },
    ]);
    expect(await storedRows('card_id = $1', [card3])).toBe(2);
  });

  it('returns exactly what recording the payments one by one would, and stores the same rows', async () => {
    const random = prng(7);
    const cards = [newCard(), newCard(), newCard()];
    const customers = [newCustomer(), newCustomer()];
    const make = (offsetMs: number): CardPayment =>
      payment(cards[Math.floor(random() * 3)]!, customers[Math.floor(random() * 2)]!, at(offsetMs), {
        amount: (Math.floor(random() * 100_000) / 100).toFixed(2),
        merchantId: `m-${Math.floor(random() * 4)}`,
        country: ['DE', 'FR', 'PL'][Math.floor(random() * 3)]!,
      });
    // Already stored before the batch: spread over 35 days, so some fall out of the windows.
    const before = Array.from({ length: 30 }, () => make(-Math.floor(random() * 35 * DAY)));
    // The batch: times out of order, two payments at one instant, a duplicate, and redeliveries of stored ones.
    const batch = Array.from({ length: 40 }, () => make(-Math.floor(random() * 3 * DAY)));
    batch.push(make(-HOUR), { ...batch[3]! }, before[0]!, before[5]!, { ...batch[10]!, eventId: randomUUID() });
    batch.push({ ...batch[0]!, eventId: randomUUID() }, batch[20]!);
    batch.reverse();

    const batchStore = new CardActivityStore(pool, { schema, table: 'batch_side' });
    const serialStore = new CardActivityStore(pool, { schema, table: 'serial_side' });
    await Promise.all([batchStore.migrate(), serialStore.migrate()]);
    await batchStore.recordAndReadAll(before);
    for (const p of before) await serialStore.recordAndRead(p);

    const { pool: counted, calls } = countingPool();
    const batchResults = await new CardActivityStore(counted, { schema, table: 'batch_side' }).recordAndReadAll(batch);
    expect(calls()).toBe(1);
    const serialResults: PaymentHistory[] = [];
    for (const p of batch) serialResults.push(await serialStore.recordAndRead(p));

    expect(batchResults).toEqual(serialResults);
    expect(batchResults).toEqual(replay(before, batch));
    expect(batchResults.some((h) => h.cardPayments.length > 3)).toBe(true); // the scenario is not trivial
    const rows = (name: string) =>
      pool.query(
        `SELECT event_id, card_id, customer_id, merchant_id, country, amount, occurred_at FROM "${schema}".${name} ORDER BY event_id`,
      );
    expect((await rows('batch_side')).rows).toEqual((await rows('serial_side')).rows);
  });

  it('records 2,000 payments in one call and one round trip', async () => {
    const random = prng(42);
    const cards = Array.from({ length: 40 }, newCard);
    const customers = Array.from({ length: 15 }, newCustomer);
    const batch = Array.from({ length: 2000 }, () => {
      const card = Math.floor(random() * cards.length);
      return payment(cards[card]!, customers[card % customers.length]!, at(-Math.floor(random() * 40 * DAY)), {
        amount: (Math.floor(random() * 1_000_000) / 100).toFixed(2),
        merchantId: `m-${Math.floor(random() * 30)}`,
      });
    });
    const { pool: counted, calls } = countingPool();
    const results = await new CardActivityStore(counted, { schema }).recordAndReadAll(batch);
    expect(calls()).toBe(1);
    expect(results).toEqual(replay([], batch));
    expect(await storedRows('event_id = ANY($1::uuid[])', [batch.map((p) => p.eventId)])).toBe(2000);
  });

  it('stores each event id once when two instances record overlapping batches in opposite orders, without deadlock', async () => {
    const card = newCard();
    const customer = newCustomer();
    const payments = Array.from({ length: 300 }, (_, i) => payment(card, customer, at(i * MINUTE)));
    const byId = [...payments].sort((a, b) => (a.eventId < b.eventId ? -1 : 1)); // PostgreSQL's uuid order
    const first = byId.slice(0, 200);
    const second = byId.slice(100).reverse();
    // Make the race deterministic: a third transaction holds a key both batches contain, so both block on it
    // midway with some of the other's keys still ahead of them. Inserting in caller order, each would then wait
    // for keys the other already holds ("deadlock detected"); inserting in event id order, they cannot.
    const holder = await pool.connect();
    let recording: Promise<PromiseSettledResult<PaymentHistory[]>[]> | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO ${table} (event_id, card_id, customer_id, merchant_id, country, amount, occurred_at)
         VALUES ($1, 'holder', 'holder', 'm', 'DE', 0, now())`,
        [byId[150]!.eventId],
      );
      recording = Promise.allSettled([store.recordAndReadAll(first), store.recordAndReadAll(second)]);
      await waitForLockWaiters(2);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const results = (await recording!).map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    });
    expect(results.map((r) => r.length)).toEqual([200, 200]);
    expect(await storedRows('card_id = $1', [card])).toBe(300);

    // And without a referee, repeatedly: overlapping batches racing freely never fail. (A card per round keeps
    // the histories, and so the test, short; the races are on event ids, whatever the cards.)
    const random = prng(3);
    for (let round = 0; round < 5; round++) {
      const roundCard = newCard();
      const more = Array.from({ length: 100 }, (_, i) => payment(roundCard, customer, at(i * MINUTE)));
      await Promise.all([
        store.recordAndReadAll(more.slice(0, 70)),
        store.recordAndReadAll(more.slice(30).reverse()),
        store.recordAndReadAll([...more].sort(() => random() - 0.5)),
      ]);
      expect(await storedRows('card_id = $1', [roundCard])).toBe(100);
    }
  });
});

describe('CardActivityStore.eraseCustomer', () => {
  it("deletes the customer's payments on every card and returns how many", async () => {
    const customer = newCustomer();
    const bystander = newCustomer();
    const sharedCard = newCard();
    await store.recordAndReadAll([
      payment(sharedCard, customer, T0),
      payment(newCard(), customer, at(MINUTE)),
      payment(sharedCard, bystander, at(2 * MINUTE)),
    ]);
    expect(await store.eraseCustomer(customer)).toBe(2);
    expect(await store.eraseCustomer(customer)).toBe(0);
    expect(await storedRows('customer_id = $1', [customer])).toBe(0);
    const next = await store.recordAndRead(payment(sharedCard, customer, at(HOUR)));
    expect(next.customerPaymentsLast24h).toBe(0);
    expect(next.cardPayments).toHaveLength(1); // the bystander's payment stays
  });
});

describe('CardActivityStore.migrate', () => {
  it('is idempotent and safe when instances start together', async () => {
    const other = uniqueSqlName('card_activity_migrate');
    extraSchemas.push(other);
    const a = new CardActivityStore(pool, { schema: other });
    const b = new CardActivityStore(pool, { schema: other });
    await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
    await a.migrate();
    expect(await b.recordAndRead(payment(newCard(), newCustomer(), T0))).toEqual(EMPTY);
    const indexes = await pool.query<{ indexdef: string }>(
      'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
      [other],
    );
    expect(indexes.rows.map((r) => r.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (card_id, occurred_at, event_id)',
      'btree (customer_id, occurred_at, event_id)',
      'btree (event_id)',
    ]);
  });

  it('refuses schema and table names that are not plain identifiers', () => {
    for (const bad of ['Spine', 'a-b', 'x"; DROP SCHEMA spine; --', '', '1abc', 'a'.repeat(64)]) {
      expect(() => new CardActivityStore(pool, { schema: bad })).toThrow(/Invalid schema/);
      expect(() => new CardActivityStore(pool, { schema, table: bad })).toThrow(/Invalid table/);
    }
    // Longer table names would make the derived index names exceed PostgreSQL's 63 characters.
    expect(() => new CardActivityStore(pool, { schema, table: 'a'.repeat(46) })).toThrow(/Invalid table/);
    expect(() => new CardActivityStore(pool, { schema, table: 'a'.repeat(45) })).not.toThrow();
  });
});

/** Reference implementation: each payment's history, recording `batch` one by one after `stored`. */
function replay(stored: readonly CardPayment[], batch: readonly CardPayment[]): PaymentHistory[] {
  const recorded = new Map<string, CardPayment>();
  for (const p of stored) if (!recorded.has(p.eventId)) recorded.set(p.eventId, p);
  return batch.map((p) => {
    const t = p.occurredAt.getTime();
    const others = [...recorded.values()].filter((o) => o.eventId !== p.eventId);
    const cardPayments = others
      .filter((o) => o.cardId === p.cardId && o.occurredAt.getTime() >= t - 30 * DAY && o.occurredAt.getTime() <= t)
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.eventId < b.eventId ? -1 : 1))
      .map(prior);
    const customerPaymentsLast24h = others.filter(
      (o) => o.customerId === p.customerId && o.occurredAt.getTime() > t - DAY && o.occurredAt.getTime() <= t,
    ).length;
    if (!recorded.has(p.eventId)) recorded.set(p.eventId, p);
    return { cardPayments, customerPaymentsLast24h };
  });
}

/** The test pool, counting the queries sent through it; connect() is refused, so nothing can hide a transaction. */
function countingPool(): { pool: pg.Pool; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(pool, {
    get(target, property) {
      if (property === 'query') {
        return (...args: unknown[]) => {
          calls++;
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      }
      if (property === 'connect') throw new Error('the store must not check out a client');
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool: counted, calls: () => calls };
}

/** Resolves once `n` sessions working on this test's schema are waiting for a lock. */
async function waitForLockWaiters(n: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const waiting = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
      [`%"${schema}"%`],
    );
    if (waiting.rows[0]!.n >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${n} sessions ever waited for a lock`);
}

