import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { payments } from '@spine/platform';
import type { FraudScore, PaymentTransactionEnriched } from '@spine/schemas';
import { freePort } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';

const root = join(import.meta.dirname, '..', '..');
const SERVICE = 'fraud-scoring';

/** Pids of live processes whose environment names this state dir: everything ./spine up started for the test. */
function processesOf(stateDir: string): number[] {
  const marker = `SPINE_STATE_DIR=${stateDir}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
      } catch {
        return false; // gone, or not ours
      }
    })
    .map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const enriched = (i: number): PaymentTransactionEnriched => ({
  transaction: {
    metadata: { eventId: randomUUID(), occurredAt: new Date(), receivedAt: new Date(), source: 'supervise', correlationId: randomUUID() },
    transactionId: `tx-${i}`, cardId: `card-${i % 7}`, customerId: `cust-${i % 3}`, merchantId: 'm-1', merchantCategory: 'GROCERY',
    amount: '12.50', currency: 'EUR', country: 'DE', channel: 'ONLINE',
  },
  features: {
    cardTxLast1h: 1, cardTxLast24h: 1, cardAmountLast24h: 12.5, cardAvgAmount30d: 0, amountToCardAvg: 1, cardDistinctMerchants24h: 1,
    cardDistinctCountries24h: 1, newMerchantForCard: true, newCountryForCard: true, customerTxLast24h: 1, secondsSincePreviousCardTx: null,
  },
});

/** `./spine up`'s supervision, for one service on a private state dir and a free port: kill -9, restart, nothing lost. */
describe('local supervision (scripts/services.sh + scripts/supervise.sh)', () => {
  let fx: SpineFixture;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  const pidFile = () => join(stateDir, 'pids', `${SERVICE}.pid`);
  const servicePid = () => Number(readFileSync(pidFile(), 'utf8').trim());

  /**
   * Runs a function of scripts/services.sh. Resolves on 'close', i.e. once nothing holds its output pipes
   * any more: a supervisor that kept the caller's stdout or stderr would make this hang.
   */
  const services = (fn: string) =>
    new Promise<{ status: number | null; output: string }>((resolve, reject) => {
      const child = spawn('bash', ['-c', `source scripts/services.sh && ${fn}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => reject(new Error(`services.sh ${fn} did not finish within 120 s (or a child holds its output open): ${output}`)), 120_000);
      child.once('close', (status) => {
        clearTimeout(timer);
        resolve({ status, output });
      });
    });

  const ready = () => fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);

  beforeAll(async () => {
    fx = await provisionedFixture('supervise', 2);
    stateDir = mkdtempSync(join(tmpdir(), 'spine-supervise-'));
    port = await freePort();
    env = {
      ...process.env,
      NODE_OPTIONS: '',
      SPINE_STATE_DIR: stateDir,
      SPINE_SERVICES_ONLY: SERVICE,
      SPINE_FRAUD_SCORING_PORT: String(port),
      SPINE_TOPIC_PREFIX: fx.prefix,
      SPINE_API_KEYS: 'supervision-test-key-0123456789',
      SPINE_SESSION_TIMEOUT_MS: '6000',
      SPINE_HEARTBEAT_INTERVAL_MS: '1000',
    };
  });

  afterAll(async () => {
    if (stateDir) {
      await services('services_stop').catch(() => undefined);
      for (const pid of processesOf(stateDir)) process.kill(pid, 'SIGKILL'); // only what this test started
      rmSync(stateDir, { recursive: true, force: true });
    }
    await fx?.close();
  });

  it('refuses a SPINE_SERVICES_ONLY name the registry does not have, listing the registered', async () => {
    const refused = await services('SPINE_SERVICES_ONLY=nope services_start');
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('"nope", which is not a registered service');
    expect(refused.output).toContain(SERVICE);
    expect(processesOf(stateDir)).toEqual([]);
  });

  it('restarts a service killed with -9 within seconds, loses no record posted around the kill, and stops without a trace', async () => {
    const started = await services('services_start');
    expect(started.output).toContain(`${SERVICE} ready`);
    expect(started.status).toBe(0);
    const first = servicePid();
    const supervisor = Number(readFileSync(join(stateDir, 'pids', `${SERVICE}.supervisor.pid`), 'utf8'));
    expect(alive(first) && alive(supervisor)).toBe(true);
    expect(await ready()).toBe(true);

    const posted: string[] = [];
    const post = async (from: number, count: number) => {
      const values = Array.from({ length: count }, (_, i) => enriched(from + i));
      await fx.producer.publish(values.map((value) => ({ topic: payments.topics.enrichedTransactions, key: value.transaction.cardId, value })));
      posted.push(...values.map((v) => v.transaction.metadata.eventId));
    };

    await post(0, 30); // in flight when the process dies
    process.kill(first, 'SIGKILL');
    const killedAt = Date.now();
    await post(30, 30); // while it is down
    let second = first;
    while (Date.now() - killedAt < 30_000) {
      second = servicePid();
      if (second !== first && alive(second) && (await ready())) break;
      await sleep(100);
    }
    const recoveredMs = Date.now() - killedAt;
    expect(second).not.toBe(first);
    expect(await ready()).toBe(true);
    expect(recoveredMs).toBeLessThan(15_000);
    process.stderr.write(`[supervision] ${SERVICE} killed with -9: pid ${first} -> ${second}, ready again after ${recoveredMs} ms\n`);
    await post(60, 30); // after it came back

    // Every record posted before, during and after the kill gets its fraud score (at least once).
    const scored = new Set<string>();
    const codec = fx.codecs.get(payments.topics.fraudScores);
    const consumer = fx.kafka.consumer({ groupId: `${fx.prefix}reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: codec.name, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void scored.add((await codec.decodeValue<FraudScore>(message.value)).metadata.eventId) });
    for (const deadline = Date.now() + 60_000; posted.some((id) => !scored.has(id)) && Date.now() < deadline; ) await sleep(250);
    await consumer.disconnect();
    expect(posted.filter((id) => !scored.has(id))).toEqual([]);

    const status = await services('services_status');
    expect(status.output).toMatch(new RegExp(`${SERVICE}\\s+up\\s+pid ${second} .*restarts 1, last exit 137 \\(SIGKILL\\) at \\d{4}-`));
    const log = readFileSync(join(stateDir, 'logs', `${SERVICE}.log`), 'utf8');
    expect(log).toContain(`"message":"${SERVICE} exited with 137 (SIGKILL) after`);
    expect(log).toContain('restart 1 in 1 s');

    const stopped = await services('services_stop');
    expect(stopped.status).toBe(0);
    expect([first, second, supervisor].filter(alive)).toEqual([]);
    expect(processesOf(stateDir)).toEqual([]);
    expect(readdirSync(join(stateDir, 'pids')).filter((f) => f.endsWith('.pid'))).toEqual([]);
    expect(readFileSync(join(stateDir, 'logs', `${SERVICE}.log`), 'utf8')).toContain('supervisor stopped (1 restart(s))');
  });
});
