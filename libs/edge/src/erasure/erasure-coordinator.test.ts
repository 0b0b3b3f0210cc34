import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { declarePersonalData } from '@spine/postgres';
import { AuditLog } from '../audit/audit-log.js';
import { ErasureCoordinator } from './erasure-coordinator.js';
import type { TopicRetention } from './kafka-retention.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3 });
const schema = `t_erase_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const q = (sql: string, params: unknown[] = []) => pool.query(sql.replaceAll('$s', `"${schema}"`), params);
const rows = async (table: string) => (await q(`SELECT * FROM $s.${table} ORDER BY 1`)).rows;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: start the stack (bash scripts/stack.sh up) and source its stack.env');
  await q('CREATE SCHEMA $s');
  await q('CREATE TABLE $s.orders (id int, customer text)');
  await q('CREATE TABLE $s.notes (id int, owner text, doc jsonb)');
  await q(`INSERT INTO $s.orders VALUES (1, 'c-1'), (2, 'c-2'), (3, 'c-1')`);
  await q(`INSERT INTO $s.notes VALUES (1, 'c-1', '{}'), (2, 'c-9', '{"customerId": "c-1"}'), (3, 'c-2', '{"customerId": "c-2"}')`);
  // Two stores declare themselves (as stores do in their migrations); one declares a table that no longer exists.
  await declarePersonalData(pool, schema, { store: 'orders', description: 'orders', tables: [{ table: 'orders', match: [{ column: 'customer' }] }] });
  await declarePersonalData(pool, schema, {
    store: 'notes',
    description: 'notes',
    tables: [
      { table: 'notes', match: [{ column: 'owner' }, { jsonColumn: 'doc', field: 'customerId' }] },
      { table: 'dropped_table', match: [{ column: 'customer' }] },
    ],
  });
});
afterAll(async () => {
  await q('DROP SCHEMA IF EXISTS $s CASCADE');
  await pool.end();
});

describe('ErasureCoordinator', () => {
  const topics: TopicRetention[] = [
    { name: 'p.events.v1', config: { 'cleanup.policy': 'delete', 'retention.ms': String(7 * 86_400_000) } },
    { name: 'p.profiles.v1', config: { 'cleanup.policy': 'compact' } },
  ];
  const erasure = new ErasureCoordinator(pool, { schema, topics });

  it("erases the customer's rows from every declared store, by column and by JSON field, and audits it", async () => {
    const report = await erasure.eraseCustomer('c-1', 'operator test', 'unit');
    expect(report.tables).toEqual([
      { store: 'notes', table: 'notes', rows: 2 },
      { store: 'notes', table: 'dropped_table', rows: 0, missing: true },
      { store: 'orders', table: 'orders', rows: 2 },
    ]);
    expect(report.rows).toBe(4);
    expect((await rows('orders')).map((r) => r.id)).toEqual([2]);
    expect((await rows('notes')).map((r) => r.id)).toEqual([3]);
    const [entry] = await new AuditLog(pool, { schema }).list({ action: 'customer.erase' });
    expect(entry).toEqual(expect.objectContaining({ id: report.auditId, actor: 'operator test', target: 'c-1', service: 'unit', details: expect.objectContaining({ rows: 4 }) }));
    expect(report.kafka).toEqual([
      { topic: 'p.events.v1', cleanupPolicy: 'delete', agesOutBy: new Date(Date.parse(report.erasedAt) + 7 * 86_400_000).toISOString(), note: expect.stringContaining('7 days') },
      { topic: 'p.profiles.v1', cleanupPolicy: 'compact', note: expect.stringContaining('tombstone') },
    ]);
    expect((await erasure.eraseCustomer('c-1', 'operator test')).rows).toBe(0); // idempotent
  });

  it('refuses a tampered declaration (an identifier that is not one) and erases nothing', async () => {
    await q(`INSERT INTO $s.personal_data_stores (store, declaration) VALUES ('zz-evil', $1::jsonb)`, [JSON.stringify({ store: 'zz-evil', description: '', tables: [{ table: 'orders; DROP TABLE x', match: [{ column: 'customer' }] }] })]);
    // Declarations run in store order: orders (c-2's row deleted) comes before zz-evil, which fails: all rolled back.
    await expect(erasure.eraseCustomer('c-2', 'operator test')).rejects.toThrow(/Invalid table/);
    expect((await rows('orders')).map((r) => r.id)).toEqual([2]); // rolled back
    expect((await rows('notes')).map((r) => r.id)).toEqual([3]);
    await q(`DELETE FROM $s.personal_data_stores WHERE store = 'zz-evil'`);
  });

  it('refuses customer ids that are empty, too long or hold control characters', async () => {
    for (const bad of ['', 'x'.repeat(257), 'a\u0000b']) await expect(erasure.eraseCustomer(bad, 'operator test')).rejects.toThrow(RangeError);
  });
});
