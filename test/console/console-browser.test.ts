import './browser-globals.js';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { spinePlatform, supportTriage } from '@spine/platform';
import { PermanentError, type StageRunner } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { groupIdOf } from '@spine/topology';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage } from '../harness/stage.js';
import { brokerLag, eventually, operatorKeys } from './support.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.spine', 'test-artifacts', 'console');

// The operator's console in a real browser (Debian's Chromium through playwright-core) against a real console process,
// the real broker, registry and PostgreSQL: log in, see every stage with the broker's lag, open a dead letter, re-drive it.
describe('console in a browser: log in, topology, dead letters', () => {
  const schema = uniqueSqlName('console_ui');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  let fx: SpineFixture;
  let console: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let runner: StageRunner;
  let keys: { act: string; read: string; other: string };
  const seen: Array<{ eventId: string; attempt: 'failed' | 'processed' }> = [];
  let poisonFixed = false;
  const poisonId = randomUUID();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    fx = await provisionedFixture('console-ui', 2);
    keys = await operatorKeys(pool, schema);
    // Enrichment in this process: the poison record fails (dead-lettered) until the "fix" is deployed.
    runner = await startStage<SupportMessageReceived>(fx, { ...supportTriage.stages.enrichment, maxAttempts: 1 }, async (m) => {
      if (m.value.metadata.eventId === poisonId && !poisonFixed) {
        seen.push({ eventId: m.value.metadata.eventId, attempt: 'failed' });
        throw new PermanentError('feature store rejected customer poison-1');
      }
      seen.push({ eventId: m.value.metadata.eventId, attempt: 'processed' });
    });
    console = await new ServiceProcess('console', await freePort(), { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema, SPINE_CONSOLE_SAMPLE_MS: '500', SPINE_API_KEYS: '' }, 'console-ui').start();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console?.kill();
    await runner?.stop();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    await fx?.close();
  }, 60_000);

  it('answers 401 with a log-in form and no data, then logs in with an operator key', async () => {
    const response = await page.goto(`${console.url}/console`);
    expect(response!.status()).toBe(401);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.locator('form[action="/console/login"] input[name=key]').count()).toBe(1);
    expect(await page.content()).not.toContain(fx.prefix);
    await page.fill('input[name=key]', keys.act);
    await Promise.all([page.waitForURL(`${console.url}/console`), page.click('button[type=submit]')]);
    await page.waitForSelector('table.stages');
    const html = await page.content();
    expect(html).not.toContain(keys.act);
    expect(html).not.toContain(keys.act.split('_').pop()!);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'spine-console')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    expect(session.value).not.toContain(keys.act);
  });

  it('shows every registered stage on the topology with the lag the broker has', async () => {
    // Five records nobody consumes yet: fraud-features' group has never committed, so its lag is the whole log.
    const raw = fx.kafka.producer();
    await raw.connect();
    await raw.send({ topic: fx.topology.topics.paymentTransactions.name, messages: Array.from({ length: 5 }, (_, i) => ({ key: `card-${i}`, value: Buffer.from(`tx-${i}`) })) });
    await raw.disconnect();
    const expected = new Map<string, number>();
    for (const stage of spinePlatform.stages) expected.set(stage.name, await brokerLag(fx, groupIdOf(stage, fx.topology.deployment), stage.inputs.map((t) => fx.topology.of(t).name)));
    expect(expected.get('fraud-features')).toBe(5);
    await page.waitForFunction((lag) => document.querySelector('tr[data-stage="fraud-features"]')?.getAttribute('data-lag') === String(lag), 5, { timeout: 20_000 });
    const shown = await page.$$eval('table.stages tr[data-stage]', (rows) => rows.map((r) => [r.getAttribute('data-stage'), Number(r.getAttribute('data-lag'))] as const));
    expect(shown.map(([name]) => name).sort()).toEqual(spinePlatform.stages.map((s) => s.name).sort());
    expect(new Map(shown)).toEqual(expected);
    for (const stage of spinePlatform.stages) expect(await page.locator(`#graph g.stage[data-stage="${stage.name}"]`).count()).toBe(1);
    const perPartition = await page.$$eval('tr[data-stage="fraud-features"] li[data-partition]', (items) => items.reduce((sum, li) => sum + Number(li.getAttribute('data-lag')), 0));
    expect(perPartition).toBe(5);
    await page.screenshot({ path: join(ARTIFACTS, 'topology.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'topology-390px.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.querySelector('table.stages')!.getBoundingClientRect().width <= window.innerWidth + 1);
    expect(overflow).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('opens a dead letter with its cause and decoded original, re-drives it after confirmation, and the stage processes it', async () => {
    const value: SupportMessageReceived = {
      metadata: { eventId: poisonId, occurredAt: new Date(), receivedAt: new Date(), source: 'console-test', correlationId: 'corr-console' },
      customerId: 'poison-1', channel: 'EMAIL', subject: null, body: 'this one breaks the feature store', orderAmount: null,
    };
    await fx.producer.publish([{ topic: supportTriage.topics.supportMessages, key: 'poison-1', value, headers: { 'x-tenant': 'acme' } }]);
    await eventually('the poison record dead-lettered', async () => (seen.some((s) => s.eventId === poisonId && s.attempt === 'failed') ? true : undefined));

    await page.goto(`${console.url}/console#dead-letters`);
    await page.waitForSelector('button.chip[data-stage="enrichment"][data-count="1"]', { timeout: 20_000 });
    await page.click('button.chip[data-stage="enrichment"]');
    const letter = page.locator('li.letter').first();
    await letter.waitFor();
    await letter.locator('summary').click();
    expect(await letter.locator('.error-class').textContent()).toBe('PermanentError');
    const original = JSON.parse((await letter.locator('pre.original').textContent())!) as { value: SupportMessageReceived; headers: Record<string, string> };
    expect(original.value.customerId).toBe('poison-1');
    expect(original.value.metadata.eventId).toBe(poisonId);
    expect(original.headers['x-tenant']).toBe('acme');
    expect(await letter.locator('pre.cause').textContent()).toContain('feature store rejected customer poison-1');
    await page.screenshot({ path: join(ARTIFACTS, 'dead-letters.png'), fullPage: true });

    poisonFixed = true; // the fix is deployed
    await letter.locator('button.redrive-one').click();
    await page.waitForSelector('dialog#confirm[open]');
    expect(await page.locator('#confirm-text').textContent()).toContain('Re-drive dead letter');
    await page.click('#confirm-ok');
    await page.waitForFunction(() => document.querySelector('#dl-result')?.textContent === 're-driven 1 record(s)', undefined, { timeout: 20_000 });
    await eventually('the re-driven record processed', async () => (seen.some((s) => s.eventId === poisonId && s.attempt === 'processed') ? true : undefined));
    expect(seen.filter((s) => s.eventId === poisonId).map((s) => s.attempt)).toEqual(['failed', 'processed']);
    await page.waitForSelector('li.letter.redriven');

    const { rows } = await pool.query<{ actor: string; target: string; details: { moved: number; records: Array<{ partition: number; offset: string }> } }>(`SELECT actor, target, details FROM "${schema}".audit_log WHERE action = 'dead-letter.redrive'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.target).toBe('enrichment');
    expect(rows[0]!.actor).toContain('console-operate');
    expect(rows[0]!.details.moved).toBe(1);
  });

  it('keeps screenshots of the models and deliveries views', async () => {
    await page.goto(`${console.url}/console#deliveries`);
    await page.waitForSelector('#deliveries p, #deliveries table');
    await page.screenshot({ path: join(ARTIFACTS, 'deliveries.png'), fullPage: true });
    await page.goto(`${console.url}/console#models`);
    await page.waitForSelector('[data-view="models"] h2');
    await page.screenshot({ path: join(ARTIFACTS, 'models-no-services.png'), fullPage: true });
  });
});
