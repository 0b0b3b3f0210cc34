import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { spinePlatform } from '@spine/platform';
import { DLQ_HEADERS } from '@spine/runtime';
import { uniqueSqlName } from '../harness/ids.js';
import { freePort, ServiceProcess } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { eventually, operatorKeys } from './support.js';

const LETTERS = 10_000;
const METRIC_STAGES = 20;
const RUNS = 20;
const bench = process.env.SPINE_BENCH === '1' ? describe : describe.skip;

/** Prometheus text as a model service with `stages` stages × 3 versions would serve it (the bench's metrics input only). */
function fakeMetrics(stages: number, model: string, stage: string): string {
  const lines: string[] = [];
  for (let s = 0; s < stages; s += 1) {
    const name = s === 0 ? stage : `${stage}-${s}`;
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const l = `model="${model}",version="${version}"`;
      lines.push(`spine_model_routed_total{stage="${name}",${l},routing="CHAMPION"} ${1_000 + s}`);
      lines.push(`spine_model_predict_duration_seconds_count{${l},stage="${name}"} ${1_000 + s}`, `spine_model_predict_duration_seconds_sum{${l},stage="${name}"} ${s / 10}`);
      for (const le of ['0.005', '0.01', '0.05', '0.1', '0.5', '1', '+Inf']) lines.push(`spine_model_predict_duration_seconds_bucket{${l},stage="${name}",le="${le}"} ${s}`);
      lines.push(`spine_model_errors_total{${l},stage="${name}",failure="transient",reason="timeout"} 3`);
      lines.push(`spine_inference_cache_requests_total{${l},stage="${name}",outcome="hit"} 10`, `spine_inference_cache_requests_total{${l},stage="${name}",outcome="miss"} 5`);
      lines.push(`spine_model_agreement_ratio{stage="${name}",${l}} 0.97`, `spine_model_cost_total{${l}} 0.25`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

// Benchmark figure (not a timed test; SPINE_BENCH=1): the console's data endpoints over a prefix with 10,000 dead letters
// spread over the stages, and 20 stages' worth of model metrics served by a local fake /metrics.
bench('console bench: each view\'s data endpoint with 10,000 dead letters and 20 stages of metrics', () => {
  const schema = uniqueSqlName('console_bench');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  let fx: SpineFixture;
  let console: ServiceProcess;
  let metrics: Server;
  let key: string;

  beforeAll(async () => {
    fx = await provisionedFixture('console-bench', 3);
    key = (await operatorKeys(pool, schema)).read;
    const producer = fx.kafka.producer();
    await producer.connect();
    const stages = spinePlatform.stages;
    for (let from = 0; from < LETTERS; from += 1_000) {
      const byTopic = new Map<string, Array<{ key: string; value: Buffer; headers: Record<string, string> }>>();
      for (let i = from; i < from + 1_000; i += 1) {
        const stage = stages[i % stages.length]!;
        const topic = fx.topology.of(stage.deadLetter).name;
        const list = byTopic.get(topic) ?? [];
        list.push({ key: `k-${i}`, value: Buffer.from(`payload ${i}`), headers: {
          [DLQ_HEADERS.errorClass]: i % 3 === 0 ? 'PermanentError' : 'ValidationError', [DLQ_HEADERS.errorMessage]: `failure ${i}`, [DLQ_HEADERS.stage]: stage.name,
          [DLQ_HEADERS.sourceTopic]: fx.topology.of(stage.inputs[0]!).name, [DLQ_HEADERS.sourcePartition]: '0', [DLQ_HEADERS.sourceOffset]: String(i), [DLQ_HEADERS.attempts]: '1',
          [DLQ_HEADERS.failedAt]: new Date(Date.now() - (LETTERS - i) * 1_000).toISOString(),
        } });
        byTopic.set(topic, list);
      }
      await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    }
    await producer.disconnect();
    const port = await freePort();
    const texts = new Map(stages.filter((s) => s.model).map((s) => [s.service, fakeMetrics(METRIC_STAGES, s.model!.name, s.name)]));
    metrics = createServer((request, response) => {
      const service = request.url!.split('/')[1]!;
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(texts.get(service) ?? '');
    });
    await new Promise<void>((resolve) => metrics.listen(port, '127.0.0.1', resolve));
    const urls = Object.fromEntries([...texts.keys(), 'model-drift'].map((service) => [`SPINE_${service.toUpperCase().replace(/-/g, '_')}_URL`, `http://127.0.0.1:${port}/${service}`]));
    console = await new ServiceProcess('console', await freePort(), { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_DB_SCHEMA: schema, SPINE_API_KEYS: '', SPINE_RATE_LIMIT_PER_SECOND: '0', SPINE_CONSOLE_MODEL_SCRAPE_MS: '1000', ...urls }, 'console-bench').start();
    await eventually('the index holding all 10,000 dead letters', async () => {
      const { stages: summaries } = (await get('/v1/admin/dead-letters')) as { stages: Array<{ count: number }> };
      return summaries.reduce((n, s) => n + s.count, 0) === LETTERS ? true : undefined;
    }, 120_000);
  }, 300_000);

  afterAll(async () => {
    await console?.kill();
    await new Promise((resolve) => metrics?.close(resolve));
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    await fx?.close();
  }, 60_000);

  async function get(path: string): Promise<unknown> {
    const response = await fetch(`${console.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }

  it('measures median and p95 over 20 requests per endpoint', async () => {
    const stage = spinePlatform.stages[0]!.name;
    const model = spinePlatform.stages.find((s) => s.model)!.name;
    const endpoints: Record<string, string> = {
      topology: '/v1/admin/topology',
      'dead letters (summaries)': '/v1/admin/dead-letters',
      'dead letters page': `/v1/admin/dead-letters/${stage}?limit=50`,
      'dead letters filter': `/v1/admin/dead-letters/${stage}?errorClass=PermanentError&since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&limit=50`,
      models: '/v1/admin/models',
      'model metrics': `/v1/admin/models/metrics?stage=${model}`,
      deliveries: '/v1/admin/deliveries',
    };
    // What is measured answers with real data: a full page, a filter that filters, and the fake metrics scraped.
    const page = (await get(endpoints['dead letters page']!)) as { total: number; letters: unknown[] };
    expect(page.letters).toHaveLength(50);
    expect(page.total).toBeGreaterThan(LETTERS / spinePlatform.stages.length - 2);
    const filtered = (await get(endpoints['dead letters filter']!)) as { matched: number; letters: Array<{ cause: { errorClass: string } }> };
    expect(filtered.matched).toBeLessThan(page.total);
    expect(filtered.letters.every((l) => l.cause.errorClass === 'PermanentError')).toBe(true);
    await eventually('the fake metrics scraped', async () => (Object.keys(((await get(endpoints['model metrics']!)) as { versions: object }).versions).length === 3 ? true : undefined), 10_000);
    const figures: string[] = [];
    for (const [view, path] of Object.entries(endpoints)) {
      await get(path); // warm
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const started = performance.now();
        await get(path);
        ms.push(performance.now() - started);
      }
      ms.sort((a, b) => a - b);
      figures.push(`[figure] console ${view}: median ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms (${RUNS} requests)`);
    }
    process.stdout.write(`${figures.join('\n')}\n`);
    expect(figures).toHaveLength(Object.keys(endpoints).length);
  }, 120_000);
});
