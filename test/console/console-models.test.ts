import './browser-globals.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parsePrometheusText } from '@spine/operations';
import { payments } from '@spine/platform';
import type { FraudScore, PaymentTransactionEnriched } from '@spine/schemas';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { paymentBatches } from '../models/fraud-inputs.js';
import { TopicCollector } from '../models/topic-collector.js';
import { eventually, operatorKeys } from './support.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.spine', 'test-artifacts', 'console');
const STAGE = payments.stages.fraudScoring.name;
const ONNX = { kind: 'onnx', path: 'libs/fraud-model/models/fraud-lr-1.0.0.onnx', output: 'probabilities' };

// Real payments (with the features enrichment computes), in batches with fresh event ids.
const batch = paymentBatches('console-', 120);

// Promote a model version from the console in a real browser: the fraud-scoring service (a real process) switches, its
// results say so, and the Models view shows the new champion with the numbers scraped from the service's /metrics.
describe('console in a browser: promote a model version and see results switch', () => {
  const schema = uniqueSqlName('console_models');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  let fx: SpineFixture;
  let fraud: ServiceProcess;
  let console: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let results: TopicCollector<FraudScore>;
  let keys: { act: string; read: string; other: string };

  async function scored(records: PaymentTransactionEnriched[]): Promise<FraudScore[]> {
    await fx.producer.publish(records.map((value) => ({ topic: payments.topics.enrichedTransactions, key: value.transaction.cardId, value })));
    const ids = new Set(records.map((r) => r.transaction.metadata.eventId));
    const mine = (vs: FraudScore[]) => vs.filter((v) => ids.has(v.metadata.eventId));
    return mine(await results.until((vs) => mine(vs).length >= ids.size, 30_000, `${ids.size} fraud scores`));
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    fx = await provisionedFixture('console-models', 2);
    keys = await operatorKeys(pool, schema);
    const stack = { KAFKA_BROKERS: process.env.KAFKA_BROKERS!, SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!, DATABASE_URL: process.env.DATABASE_URL!, SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema };
    results = await new TopicCollector<FraudScore>(fx, payments.topics.fraudScores).start();
    fraud = new ServiceProcess('fraud-scoring', await freePort(), stack, 'console-fraud-scoring');
    await fraud.start();
    console = await new ServiceProcess('console', await freePort(), { ...stack, SPINE_FRAUD_SCORING_URL: fraud.url, SPINE_CONSOLE_MODEL_SCRAPE_MS: '500', SPINE_CONSOLE_SAMPLE_MS: '1000', SPINE_API_KEYS: '' }, 'console-models').start();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${console.url}/console`);
    await page.fill('input[name=key]', keys.act);
    await Promise.all([page.waitForURL(`${console.url}/console`), page.click('button[type=submit]')]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console?.kill();
    await fraud?.kill();
    await results?.stop();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    await fx?.close();
  }, 60_000);

  it('registers 2.0.0 through the admin API, promotes it with the Promote button, and the service answers with 2.0.0 as champion', async () => {
    const before = await scored(batch(20));
    expect(new Set(before.map((r) => `${r.model.version}/${r.model.routing}`))).toEqual(new Set(['1.0.0/CHAMPION']));

    const registered = await fetch(`${console.url}/v1/admin/models/versions`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.act}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fraud-lr', version: '2.0.0', adapter: ONNX }),
    });
    expect(registered.status).toBe(201);

    await page.goto(`${console.url}/console#models`);
    const row = page.locator(`section.card[data-stage="${STAGE}"] tr[data-version="2.0.0"]`);
    await row.locator('button.promote').waitFor({ timeout: 20_000 });
    expect(await row.getAttribute('data-role')).toBe('');
    await row.locator('button.promote').click();
    await page.waitForSelector('dialog#confirm[open]');
    expect(await page.locator('#confirm-text').textContent()).toBe(`Promote 2.0.0 to champion of ${STAGE}?`);
    await page.click('#confirm-ok');
    await page.waitForFunction((stage) => document.querySelector('#model-result')?.textContent === `promote of ${stage} sent to the control topic`, STAGE, { timeout: 20_000 });
    await page.waitForSelector(`section.card[data-stage="${STAGE}"] tr[data-version="2.0.0"][data-role="champion"]`, { timeout: 20_000 });

    // The service follows the control topic: probe with one payment at a time until it answers with 2.0.0 (within seconds).
    const promotedAt = Date.now();
    await eventually('fraud-scoring answering with 2.0.0', async () => ((await scored(batch(1)))[0]!.model.version === '2.0.0' ? true : undefined), 15_000);
    const switchMs = Date.now() - promotedAt;
    const after = await scored(batch(30));
    expect(after).toHaveLength(30);
    expect(after.every((r) => r.model.version === '2.0.0' && r.model.routing === 'CHAMPION')).toBe(true);
    for (const r of after) expect(r.score).toBeGreaterThanOrEqual(0);

    // The Models view: 2.0.0 is champion, and its answered count is what the service's /metrics says.
    const served = parsePrometheusText(await (await fetch(`${fraud.url}/metrics`)).text())
      .filter((s) => s.name === 'spine_model_routed_total' && s.labels.stage === STAGE && s.labels.version === '2.0.0' && s.labels.routing === 'CHAMPION')
      .reduce((sum, s) => sum + s.value, 0);
    expect(served).toBeGreaterThanOrEqual(30);
    await page.waitForFunction(({ stage, n }) => document.querySelector(`section.card[data-stage="${stage}"] tr[data-version="2.0.0"]`)?.getAttribute('data-champion') === String(n), { stage: STAGE, n: served }, { timeout: 20_000 });
    const champion = page.locator(`section.card[data-stage="${STAGE}"] tr[data-version="2.0.0"]`);
    expect(await champion.getAttribute('data-role')).toBe('champion');
    expect(await champion.locator('button.promote').count()).toBe(0);
    expect(await page.locator(`section.card[data-stage="${STAGE}"] p.muted`).first().textContent()).toContain('champion 2.0.0');
    expect(await champion.locator('td.num').first().textContent()).toBe(served.toLocaleString('en'));
    const promoted = page.locator('#model-history tr[data-action="PROMOTE"]');
    expect(await promoted.count()).toBe(1);
    expect(await promoted.getAttribute('data-version')).toBe('2.0.0');
    expect(await promoted.locator('td').nth(3).textContent()).toContain('console-operate');
    expect(await page.locator(`section.card[data-stage="${STAGE}"] tr[data-version="1.0.0"] button.promote`).isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'models.png'), fullPage: true });

    const { rows } = await pool.query<{ actor: string; target: string; details: { change: string; version: string } }>(`SELECT actor, target, details FROM "${schema}".audit_log WHERE action = 'model.promote'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actor).toContain('console-operate');
    expect(rows[0]!.target).toBe(STAGE);
    expect(rows[0]!.details.version).toBe('2.0.0');
    process.stdout.write(`[figure] console promote → fraud-scoring answering with 2.0.0 in ${switchMs} ms\n`);
  }, 120_000);
});
