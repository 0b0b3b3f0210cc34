import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { uniquePrefix, uniqueSqlName } from '../harness/ids.js';
import { freePort, SpawnedProcess } from '../harness/service-process.js';

/**
 * Stages start in the background (the service listens at once); a stage that cannot start must still end its
 * process, with the fix in the log, instead of leaving a live but never-ready service behind.
 */
describe('a stage that cannot start', () => {
  const schema = uniqueSqlName('stage_start');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  let service: SpawnedProcess | undefined;

  afterAll(async () => {
    await service?.kill();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  });

  it('ends its process with exit code 1, the reason and the fix in the log (topics of the prefix never provisioned)', async () => {
    const prefix = uniquePrefix('unprovisioned');
    service = await new SpawnedProcess('enrichment', await freePort(), { SPINE_TOPIC_PREFIX: prefix, SPINE_DB_SCHEMA: schema }, 'stage-start-enrichment').start();
    const outcome = await Promise.race([service.exited!, sleep(90_000).then(() => undefined)]);
    const log = readFileSync(service.logFile, 'utf8');
    expect({ outcome, log: log.slice(-2_000) }).toEqual({ outcome: { code: 1, signal: null }, log: expect.stringContaining('a stage could not start: exiting') });
    const line = log.split('\n').find((l) => l.includes('a stage could not start'))!;
    expect(JSON.parse(line).error).toMatch(new RegExp(`not registered under subject ${prefix.replace(/[.]/g, '\\.')}.*run \`./spine provision\``));
  }, 120_000);

  it('a stage still waiting for Kafka: the service is alive, not ready, says so, and stops cleanly on SIGTERM', async () => {
    const unreachable = `127.0.0.1:${await freePort()}`; // nothing listens there
    const waiting = new SpawnedProcess('enrichment', await freePort(), { KAFKA_BROKERS: unreachable, SPINE_TOPIC_PREFIX: uniquePrefix('no-kafka'), SPINE_DB_SCHEMA: schema }, 'stage-start-no-kafka');
    await waiting.start();
    try {
      let ready: Response | undefined;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && !ready; await sleep(250)) {
        ready = await fetch(`${waiting.url}/health/ready`).catch(() => undefined);
      }
      expect(ready?.status).toBe(503);
      expect(((await ready!.json()) as { stages: unknown }).stages).toEqual([expect.objectContaining({ stage: 'enrichment', joined: false, starting: 'waiting for Kafka' })]);
      expect((await fetch(`${waiting.url}/health/live`)).status).toBe(200);
      const stopped = await waiting.stop('SIGTERM', 30_000);
      expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
      expect(readFileSync(waiting.logFile, 'utf8')).toContain('stopped cleanly');
    } finally {
      await waiting.kill();
    }
  }, 120_000);
});
