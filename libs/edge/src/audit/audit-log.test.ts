import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withTransaction } from '@spine/postgres';
import { AUDIT_ACTIONS, AuditLog, cliActor } from './audit-log.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3 });
const schema = `t_audit_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const log = new AuditLog(pool, { schema });

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: start the stack (bash scripts/stack.sh up) and source its stack.env');
  await Promise.all([log.migrate(), log.migrate()]);
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('AuditLog', () => {
  it('appends who, what, when and lists newest first, by action', async () => {
    const first = await log.append({ actor: 'operator alice@host', action: AUDIT_ACTIONS.apiKeyCreate, target: 'abc', details: { scopes: ['admin'] }, service: 'spine-cli' });
    const second = await log.append({ actor: 'api-key 123 (dpo)', action: AUDIT_ACTIONS.customerErase, target: 'c-1' });
    expect(first.at).toBeInstanceOf(Date);
    expect(await log.list({ limit: 10 })).toEqual([second, first]);
    expect(await log.list({ action: AUDIT_ACTIONS.customerErase })).toEqual([second]);
    expect(await log.list({ limit: 1 })).toEqual([second]);
  });

  it('commits with the action or not at all', async () => {
    await expect(
      withTransaction(pool, async (client) => {
        await log.append({ actor: 'x', action: 'model.promote', target: 'v2' }, client);
        throw new Error('the promotion failed');
      }),
    ).rejects.toThrow('the promotion failed');
    expect((await log.list({ action: 'model.promote' })).length).toBe(0);
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    await log.append({ actor: 'x', action: 'stage.replay', target: 'inference' });
    for (const sql of [`UPDATE "${schema}".audit_log SET actor = 'y'`, `DELETE FROM "${schema}".audit_log`, `TRUNCATE "${schema}".audit_log`]) {
      await expect(pool.query(sql)).rejects.toThrow(/append-only/);
    }
  });

  it('refuses entries without an actor or a noun.verb action', async () => {
    await expect(log.append({ actor: '', action: 'api-key.create' })).rejects.toThrow(RangeError);
    await expect(log.append({ actor: 'x', action: 'created a key' })).rejects.toThrow(RangeError);
  });

  it('names the CLI operator from SPINE_ACTOR, else user@host', () => {
    expect(cliActor({ SPINE_ACTOR: 'bob (ticket 42)' })).toBe('operator bob (ticket 42)');
    expect(cliActor({})).toMatch(/^operator .+@.+ \(spine-cli\)$/);
  });
});
