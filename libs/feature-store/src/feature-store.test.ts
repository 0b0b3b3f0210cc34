import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { FeatureStore } from './feature-store.js';
import type { CustomerFeatures, FeatureUpdate } from './types.js';

// Real PostgreSQL only: these tests are about transactions, locks and numeric arithmetic, which a mock would fake.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  throw new Error('DATABASE_URL is not set: start the stack with `bash scripts/stack.sh up` (then source /var/tmp/spine-root/stack.env)');
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = new Date('2024-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

// A schema of our own per run, so parallel runs and other test files never see each other's rows.
const schema = `t_${randomUUID().replaceAll('-', '')}`;
const extraSchemas: string[] = [];
// max > 1 so concurrent calls really run on different connections.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
const store = new FeatureStore(pool, { schema });

const newCustomer = () => `customer-${randomUUID()}`;
function event(customerId: string, occurredAt: Date, more: Partial<FeatureUpdate> = {}): FeatureUpdate {
  return { eventId: randomUUID(), customerId, occurredAt, bodyLength: 100, orderAmount: null, ...more };
}

beforeAll(async () => {
  await store.migrate();
});

afterAll(async () => {
  for (const name of [schema, ...extraSchemas]) await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await pool.end();
});

describe('FeatureStore.applyAndRead', () => {
  it('returns first-contact features, with the amount normalized to scale 2', async () => {
    const customer = newCustomer();
    const features = await store.applyAndRead(event(customer, T0, { bodyLength: 42, orderAmount: '12.5' }));
    expect(features).toEqual<CustomerFeatures>({
      messagesTotal: 1,
      messagesLast24h: 1,
      avgBodyLength: 42,
      previousContactAt: null,
      lifetimeOrderAmount: '12.50',
    });
  });

  it('applies a redelivered event once and returns the features it got the first time', async () => {
    const customer = newCustomer();
    const first = event(customer, T0, { bodyLength: 10, orderAmount: '0.10' });
    const second = event(customer, at(HOUR), { bodyLength: 20, orderAmount: '0.20' });

    const firstResult = await store.applyAndRead(first);
    const secondResult = await store.applyAndRead(second);
    expect(await store.applyAndRead(first)).toEqual(firstResult);
    expect(await store.applyAndRead(second)).toEqual(secondResult);

    expect(secondResult).toEqual<CustomerFeatures>({
      messagesTotal: 2,
      messagesLast24h: 2,
      avgBodyLength: 15,
      previousContactAt: T0,
      lifetimeOrderAmount: '0.30',
    });
    const current = await store.read(customer);
    expect(current?.messagesTotal).toBe(2);
    expect(current?.lifetimeOrderAmount).toBe('0.30');
    expect(current?.avgBodyLength).toBe(15);
    const stored = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".feature_events WHERE customer_id = $1`, [
      customer,
    ]);
    expect(stored.rows[0].n).toBe(2);
  });

  it('keeps amounts exact (no floating point anywhere)', async () => {
    const customer = newCustomer();
    await store.applyAndRead(event(customer, T0, { orderAmount: '0.10' }));
    expect((await store.applyAndRead(event(customer, at(1), { orderAmount: '0.20' }))).lifetimeOrderAmount).toBe('0.30');
    // A message without an order leaves the sum alone.
    expect((await store.applyAndRead(event(customer, at(2), { orderAmount: null }))).lifetimeOrderAmount).toBe('0.30');
    expect((await store.read(customer))?.lifetimeOrderAmount).toBe('0.30');

    // 123456789012.34 + 0.01 in doubles is 123456789012.35001.
    const big = newCustomer();
    await store.applyAndRead(event(big, T0, { orderAmount: '123456789012.34' }));
    expect((await store.applyAndRead(event(big, at(1), { orderAmount: '0.01' }))).lifetimeOrderAmount).toBe(
      '123456789012.35',
    );
    // Refunds may be negative.
    expect((await store.applyAndRead(event(big, at(2), { orderAmount: '-0.35' }))).lifetimeOrderAmount).toBe(
      '123456789012.00',
    );
  });

  it('rejects amounts that numeric(14,2) would round or cannot hold, and stores nothing', async () => {
    const customer = newCustomer();
    for (const orderAmount of ['1.005', '1e3', '', '12,50', '1234567890123.00', ' 1.00']) {
      await expect(store.applyAndRead(event(customer, T0, { orderAmount }))).rejects.toThrow(/orderAmount/);
    }
    expect(await store.read(customer)).toBeNull();
  });

  it('counts the 24h window as (occurredAt - 24h, occurredAt]', async () => {
    const customer = newCustomer();
    const exactlyADayBefore = at(-24 * HOUR);
    const justInside = at(-24 * HOUR + 1);
    await store.applyAndRead(event(customer, exactlyADayBefore));
    const second = await store.applyAndRead(event(customer, justInside));
    expect(second.messagesLast24h).toBe(2); // 1 ms less than 24h apart
    const third = await store.applyAndRead(event(customer, T0));
    expect(third).toMatchObject({ messagesTotal: 3, messagesLast24h: 2, previousContactAt: justInside });
    const fourth = await store.applyAndRead(event(customer, at(24 * HOUR)));
    expect(fourth).toMatchObject({ messagesTotal: 4, messagesLast24h: 1, previousContactAt: T0 });
  });

  it('computes a late event as of its own time, and a redelivery still returns the first answer', async () => {
    const customer = newCustomer();
    const onTime = event(customer, T0, { bodyLength: 10 });
    const onTimeResult = await store.applyAndRead(onTime);

    const late = await store.applyAndRead(event(customer, at(-HOUR), { bodyLength: 30 }));
    expect(late).toEqual<CustomerFeatures>({
      messagesTotal: 1,
      messagesLast24h: 1,
      avgBodyLength: 30,
      previousContactAt: null,
      lifetimeOrderAmount: '0.00',
    });
    // The late event now precedes onTime, but a redelivery of onTime must not change its answer.
    expect(await store.applyAndRead(onTime)).toEqual(onTimeResult);

    const next = await store.applyAndRead(event(customer, at(HOUR), { bodyLength: 20 }));
    expect(next).toEqual<CustomerFeatures>({
      messagesTotal: 3,
      messagesLast24h: 3,
      avgBodyLength: 20,
      previousContactAt: T0,
      lifetimeOrderAmount: '0.00',
    });
    // The running aggregate keeps the latest contact, not the last one to arrive.
    expect((await store.read(customer))?.previousContactAt).toEqual(at(HOUR));
  });

  it('does not count an event at the very same instant as a previous contact', async () => {
    const customer = newCustomer();
    const first = await store.applyAndRead(event(customer, T0));
    const second = await store.applyAndRead(event(customer, T0));
    expect(first.previousContactAt).toBeNull();
    expect(second.previousContactAt).toBeNull();
    expect((await store.read(customer))?.messagesTotal).toBe(2);
  });

  it('refuses an event id already applied for another customer', async () => {
    const owner = newCustomer();
    const original = event(owner, T0);
    await store.applyAndRead(original);
    const intruder = newCustomer();
    await expect(store.applyAndRead({ ...original, customerId: intruder })).rejects.toThrow(/already applied/);
    expect(await store.read(intruder)).toBeNull();
    expect((await store.read(owner))?.messagesTotal).toBe(1);
  });

  it('rejects malformed updates before touching the database', async () => {
    const customer = newCustomer();
    await expect(store.applyAndRead({ ...event(customer, T0), eventId: 'not-a-uuid' })).rejects.toThrow(/eventId/);
    await expect(store.applyAndRead(event(customer, new Date(Number.NaN)))).rejects.toThrow(/occurredAt/);
    await expect(store.applyAndRead(event(customer, T0, { bodyLength: -1 }))).rejects.toThrow(/bodyLength/);
    await expect(store.applyAndRead(event(customer, T0, { bodyLength: 1.5 }))).rejects.toThrow(/bodyLength/);
    expect(await store.read(customer)).toBeNull();
  });

  it('serializes concurrent events of one customer: every answer matches a serial replay', async () => {
    const customer = newCustomer();
    const events = Array.from({ length: 20 }, (_, i) =>
      event(customer, at(i * 2 * HOUR), { bodyLength: i + 1, orderAmount: `${i}.0${i % 10}` }),
    );
    const results = await Promise.all(events.map((e) => store.applyAndRead(e)));

    const current = await store.read(customer);
    expect(current?.messagesTotal).toBe(20);
    expect(current?.avgBodyLength).toBe(10.5);
    expect(current?.lifetimeOrderAmount).toBe(sumAmounts(events).toFixed(2));

    // Replay in the order the database applied the events; each answer must equal what a one-at-a-time
    // implementation would have returned. Without the per-customer lock, an event misses a concurrent
    // predecessor's row and this fails.
    const order = await pool.query<{ event_id: string }>(
      `SELECT event_id FROM "${schema}".feature_events WHERE customer_id = $1 ORDER BY applied_seq`,
      [customer],
    );
    const byId = new Map(events.map((e, i) => [e.eventId, { event: e, result: results[i] }]));
    const seen: FeatureUpdate[] = [];
    for (const { event_id } of order.rows) {
      const entry = byId.get(event_id)!;
      seen.push(entry.event);
      expect(entry.result).toEqual(expectedAsOf(entry.event, seen));
    }
    expect(seen).toHaveLength(20);
  });
});

describe('FeatureStore.applyAndRead while another transaction holds the customer', () => {
  // Another instance applying an event for the same customer (two instances can briefly share a partition
  // during a rebalance), played by a transaction of our own so the test decides when it commits.
  let other: pg.PoolClient;
  let otherPid: number;
  beforeEach(async () => {
    other = await pool.connect();
    otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  });
  afterEach(async () => {
    await other.query('ROLLBACK'); // only a warning if the test committed
    other.release();
  });

  /** Stores `e` as applyAndRead would, inside `other`'s open transaction. */
  async function applyInOther(e: FeatureUpdate, asOf: CustomerFeatures): Promise<void> {
    await other.query(
      `INSERT INTO "${schema}".feature_events (event_id, customer_id, occurred_at, body_length, order_amount,
         as_of_messages_total, as_of_messages_last_24h, as_of_body_length_sum, as_of_previous_contact_at,
         as_of_lifetime_order_amount)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        e.eventId,
        e.customerId,
        e.occurredAt,
        e.bodyLength,
        e.orderAmount,
        asOf.messagesTotal,
        asOf.messagesLast24h,
        asOf.avgBodyLength * asOf.messagesTotal,
        asOf.previousContactAt,
        asOf.lifetimeOrderAmount,
      ],
    );
  }

  /** Resolves once some other session waits for a lock `other` holds (i.e. applyAndRead is queued behind it). */
  async function untilBlockedByOther(): Promise<void> {
    for (let attempt = 0; attempt < 500; attempt++) {
      const waiting = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))',
        [otherPid],
      );
      if (waiting.rows[0]!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('applyAndRead never waited for the transaction holding the customer');
  }

  it('counts an event committed while it waited for the customer lock', async () => {
    // Guards the split between locking and reading: a statement that read the events with a snapshot taken
    // before it waited for the lock would miss `middle` and answer messagesTotal 2.
    const customer = newCustomer();
    await store.applyAndRead(event(customer, T0, { bodyLength: 10, orderAmount: '1.00' }));

    await other.query('BEGIN');
    await other.query(`SELECT 1 FROM "${schema}".customer_features WHERE customer_id = $1 FOR UPDATE`, [customer]);
    const pending = store.applyAndRead(event(customer, at(2 * HOUR), { bodyLength: 30, orderAmount: '3.00' }));
    pending.catch(() => undefined); // awaited below; keeps an early failure from going unhandled meanwhile
    await untilBlockedByOther();
    const middle = event(customer, at(HOUR), { bodyLength: 20, orderAmount: '2.00' });
    await applyInOther(middle, {
      messagesTotal: 2,
      messagesLast24h: 2,
      avgBodyLength: 15,
      previousContactAt: T0,
      lifetimeOrderAmount: '3.00',
    });
    await other.query('COMMIT');

    expect(await pending).toEqual<CustomerFeatures>({
      messagesTotal: 3,
      messagesLast24h: 3,
      avgBodyLength: 20,
      previousContactAt: at(HOUR),
      lifetimeOrderAmount: '6.00',
    });
  });

  it('refuses an event id another customer takes concurrently, and stores nothing', async () => {
    // The id is inserted for `owner` after applyAndRead's snapshot: the insert waits for it, finds it taken,
    // and the stored row must still be found to name the owner.
    const owner = newCustomer();
    const intruder = newCustomer();
    const original = event(owner, T0);

    await other.query('BEGIN');
    await applyInOther(original, {
      messagesTotal: 1,
      messagesLast24h: 1,
      avgBodyLength: 100,
      previousContactAt: null,
      lifetimeOrderAmount: '0.00',
    });
    const pending = store.applyAndRead({ ...original, customerId: intruder });
    pending.catch(() => undefined);
    await untilBlockedByOther();
    await other.query('COMMIT');

    await expect(pending).rejects.toThrow(`already applied for customer ${owner}`);
    expect(await store.read(intruder)).toBeNull();
  });
});

describe('FeatureStore.applyAndRead, concurrent redeliveries', () => {
  it('applies an event delivered several times at once exactly once, with one answer', async () => {
    const customer = newCustomer();
    await store.applyAndRead(event(customer, T0, { orderAmount: '1.00' }));
    const e = event(customer, at(HOUR), { orderAmount: '2.00' });
    const results = await Promise.all([e, e, e, e].map((delivery) => store.applyAndRead(delivery)));
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]).toMatchObject({ messagesTotal: 2, lifetimeOrderAmount: '3.00' });
    expect(await store.read(customer)).toMatchObject({ messagesTotal: 2, lifetimeOrderAmount: '3.00' });
  });
});

describe('FeatureStore.read', () => {
  it('returns null for a customer never seen', async () => {
    expect(await store.read(newCustomer())).toBeNull();
  });

  it('counts the 24h window back from now and reports the latest contact', async () => {
    const customer = newCustomer();
    const now = Date.now();
    await store.applyAndRead(event(customer, new Date(now - 25 * HOUR), { bodyLength: 10, orderAmount: '1.00' }));
    await store.applyAndRead(event(customer, new Date(now - HOUR), { bodyLength: 30, orderAmount: '2.00' }));
    expect(await store.read(customer)).toEqual<CustomerFeatures>({
      messagesTotal: 2,
      messagesLast24h: 1,
      avgBodyLength: 20,
      previousContactAt: new Date(now - HOUR),
      lifetimeOrderAmount: '3.00',
    });
  });
});

describe('FeatureStore.migrate', () => {
  it('is idempotent and safe when instances start together', async () => {
    const other = `t_${randomUUID().replaceAll('-', '')}`;
    extraSchemas.push(other);
    const a = new FeatureStore(pool, { schema: other });
    const b = new FeatureStore(pool, { schema: other });
    await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
    await a.migrate();
    expect((await b.applyAndRead(event(newCustomer(), T0))).messagesTotal).toBe(1);
  });

  it('refuses schema names that are not plain identifiers', () => {
    for (const bad of ['Spine', 'a-b', 'x"; DROP SCHEMA spine; --', '', '1abc', 'a'.repeat(64)]) {
      expect(() => new FeatureStore(pool, { schema: bad })).toThrow(/Invalid schema/);
    }
  });
});

/** Sum of the events' amounts, added up in integer cents so the reference itself is exact. */
function sumAmounts(events: FeatureUpdate[]): number {
  return events.reduce((sum, e) => sum + (e.orderAmount === null ? 0 : Math.round(Number(e.orderAmount) * 100)), 0) / 100;
}

/** Reference implementation: features of `target` given the events applied so far (target included). */
function expectedAsOf(target: FeatureUpdate, applied: FeatureUpdate[]): CustomerFeatures {
  const t = target.occurredAt.getTime();
  const upTo = applied.filter((e) => {
    const et = e.occurredAt.getTime();
    return et < t || (et === t && e.eventId <= target.eventId);
  });
  const previous = upTo.map((e) => e.occurredAt.getTime()).filter((et) => et < t);
  return {
    messagesTotal: upTo.length,
    messagesLast24h: upTo.filter((e) => e.occurredAt.getTime() > t - 24 * HOUR).length,
    avgBodyLength: upTo.reduce((sum, e) => sum + e.bodyLength, 0) / upTo.length,
    previousContactAt: previous.length === 0 ? null : new Date(Math.max(...previous)),
    lifetimeOrderAmount: sumAmounts(upTo).toFixed(2),
  };
}

describe('FeatureStore.applyAndReadAll (set-based batches)', () => {
  it('answers a batch exactly as applying its events one by one would, in one transaction', async () => {
    const customers = Array.from({ length: 5 }, newCustomer);
    // Each customer appears several times, interleaved, with a late event among them.
    const events = customers.flatMap((c, k) => [event(c, at(k * MINUTE)), event(c, at(k * MINUTE + HOUR), { orderAmount: '10.05' }), event(c, at(k * MINUTE - 2 * HOUR), { bodyLength: 7 })]);
    const shuffled = [...events].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    const twin = new FeatureStore(pool, { schema: `${schema}_twin` });
    extraSchemas.push(`${schema}_twin`);
    await twin.migrate();
    const serial: CustomerFeatures[] = [];
    for (const e of shuffled) serial.push(await twin.applyAndRead(e));

    expect(await store.applyAndReadAll(shuffled)).toEqual(serial);
    // A redelivery of the whole batch changes nothing and answers the same.
    expect(await store.applyAndReadAll(shuffled)).toEqual(serial);
    for (const c of customers) expect(await store.read(c)).toEqual(await twin.read(c));
  });

  it('fails only the invalid or conflicting slots of a batch; the others are applied', async () => {
    const a = event(newCustomer(), T0);
    await store.applyAndRead(a);
    const stolen = { ...event(newCustomer(), T0), eventId: a.eventId }; // id already applied for another customer
    const bad = event(newCustomer(), T0, { orderAmount: '1.234' });
    const good = event(newCustomer(), T0);
    const [r1, r2, r3] = await store.applyAndReadAll([stolen, bad, good]);
    expect(r1).toBeInstanceOf(Error);
    expect((r1 as Error).message).toMatch(/already applied for customer/);
    expect(r2).toBeInstanceOf(Error);
    expect(r3).toMatchObject({ messagesTotal: 1 });
  });

  it('applies overlapping batches of two instances (a rebalance) once per event, without deadlock', async () => {
    const customers = Array.from({ length: 40 }, newCustomer);
    const events = customers.map((c) => event(c, T0));
    const answers = await Promise.all([store.applyAndReadAll(events), store.applyAndReadAll([...events].reverse()), store.applyAndReadAll(events.slice(10, 30))]);
    for (const answer of answers) for (const r of answer) expect(r).toMatchObject({ messagesTotal: 1 });
    for (const c of customers) expect((await store.read(c))!.messagesTotal).toBe(1);
  });
});
