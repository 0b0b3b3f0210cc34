import pg from 'pg';
import { Registry } from 'prom-client';
import { InferenceCache } from '@spine/inference-cache';
import { ModelControl, ModelServing } from '@spine/model-lifecycle';
import { payments, supportTriage } from '@spine/platform';
import { loadTriageModel, type TriageInput } from '@spine/triage-model';
import type { PaymentTransactionEnriched } from '@spine/schemas';
import { triageBinding } from '../../apps/inference/src/triage-binding.js';
import { uniqueSqlName } from '../harness/ids.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { fraudInputs } from './fraud-inputs.js';
import { fraudInstance, fraudModel, testFraudBinding, type FraudInstance } from './model-instances.js';
import { startOpenAiServer, type OpenAiServer } from './openai-server.js';

const by = { actor: 'test-operator', reason: 'test' };
const FRAUD_STAGE = payments.stages.fraudScoring.name;
const FRAUD_MODEL = payments.stages.fraudScoring.model!.name;
const TRIAGE_STAGE = supportTriage.stages.inference.name;
const TRIAGE_MODEL = supportTriage.stages.inference.model!.name;
const signal = () => AbortSignal.timeout(10_000);

describe('inference cache shared by two instances of a stage (real PostgreSQL, real control topic)', () => {
  let fx: SpineFixture;
  let ops: ModelControl;
  const schema = uniqueSqlName('cache');
  const pools: pg.Pool[] = [];
  const instances: FraudInstance[] = [];
  const cacheRegistries: Registry[] = [];
  let calls = 0;

  beforeAll(async () => {
    fx = await provisionedFixture('cache', 1);
    ops = new ModelControl({ kafka: fx.kafka, codecs: fx.codecs, clientId: `${fx.prefix}ops` });
    await ops.start();
    const counting = (input: PaymentTransactionEnriched) => ((calls += 1), fraudModel.score(input));
    for (const label of ['a', 'b']) {
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
      pools.push(pool);
      const registry = new Registry();
      cacheRegistries.push(registry);
      const cache = new InferenceCache(pool, { schema, ttlMs: 3_600_000, maxEntries: 10_000, pruneIntervalMs: 0, registry });
      await cache.migrate();
      instances.push(await fraudInstance(fx, label, { binding: testFraudBinding({ [`${FRAUD_MODEL}@counting`]: counting }), cache, consume: false }));
    }
    await ops.register(FRAUD_MODEL, '5.0.0-cached', { kind: 'in-process', function: `${FRAUD_MODEL}@counting` }, { ...by, cacheTtlMs: 60_000 });
    await ops.promote(FRAUD_STAGE, '5.0.0-cached', by);
    for (const i of instances) await waitFor(() => i.control.routing(FRAUD_STAGE).champion === '5.0.0-cached');
  }, 120_000);

  afterAll(async () => {
    for (const i of instances) await i.stop();
    await ops?.stop();
    await pools[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await Promise.all(pools.map((p) => p.end()));
    await fx?.close();
  }, 60_000);

  it('calls the model once for the same input, whichever instance sees it second; a hit says so', async () => {
    const [payment, other] = fraudInputs(2) as PaymentTransactionEnriched[];
    // The same payment features under another transaction id: the model sees the same vector.
    const again = { ...payment!, transaction: { ...payment!.transaction, transactionId: 'retry-of-1' } };
    const [a, b] = instances;
    const first = await a!.serving.serve(payment!.transaction.cardId, payment!, signal());
    const second = await b!.serving.serve(again.transaction.cardId, again, signal());
    expect(calls).toBe(1);
    expect(first.model).toMatchObject({ version: '5.0.0-cached', cacheHit: false });
    expect(second.model).toMatchObject({ version: '5.0.0-cached', cacheHit: true });
    expect(second.output).toEqual(first.output);
    await b!.serving.serve(other!.transaction.cardId, other!, signal());
    expect(calls).toBe(2);
    const hits = (await cacheRegistries[1]!.getSingleMetric('spine_inference_cache_requests_total')?.get())?.values.find((v) => v.labels.outcome === 'hit');
    expect(hits?.value).toBe(1);
  });

  it('does not cache a version registered without a cache TTL', async () => {
    await ops.register(FRAUD_MODEL, '5.1.0-uncached', { kind: 'in-process', function: `${FRAUD_MODEL}@counting` }, by);
    await ops.promote(FRAUD_STAGE, '5.1.0-uncached', by);
    await waitFor(() => instances.every((i) => i.control.routing(FRAUD_STAGE).champion === '5.1.0-uncached'));
    const [payment] = fraudInputs(1) as PaymentTransactionEnriched[];
    const before = calls;
    await instances[0]!.serving.serve('k', payment!, signal());
    const second = await instances[1]!.serving.serve('k', payment!, signal());
    expect(calls - before).toBe(2);
    expect(second.model.cacheHit).toBe(false);
  });
});

describe('cost-aware cascade: the in-process triage model first, an OpenAI-compatible LLM only when it is unsure', () => {
  let fx: SpineFixture;
  let ops: ModelControl;
  let control: ModelControl;
  let server: OpenAiServer;
  let serving: ModelServing<TriageInput, ReturnType<ReturnType<typeof triageBinding>['functions'][string]> extends infer O ? Awaited<O> : never>;
  const registry = new Registry();

  beforeAll(async () => {
    fx = await provisionedFixture('cascade', 1);
    server = await startOpenAiServer();
    ops = new ModelControl({ kafka: fx.kafka, codecs: fx.codecs, clientId: `${fx.prefix}ops` });
    control = new ModelControl({ kafka: fx.kafka, codecs: fx.codecs, clientId: `${fx.prefix}inference` });
    await Promise.all([ops.start(), control.start()]);
    const models = [await loadTriageModel({ version: '1.1.0' })];
    serving = new ModelServing(supportTriage.stages.inference, triageBinding(models), { control, registry });
  }, 120_000);

  afterAll(async () => {
    await serving?.close();
    await Promise.all([ops?.stop(), control?.stop(), server?.close()]);
    await fx?.close();
  }, 60_000);

  it('sends confident messages nowhere else, escalates unconfident ones, and the results say which model answered', async () => {
    const texts = [
      'I want a refund for my broken blender, it arrived smashed and I demand my money back',
      'My parcel has not arrived, the tracking number shows no delivery for two weeks',
      'I cannot log in to my account, the password reset email never comes',
      'Please cancel my subscription immediately',
      'hello',
      'quick question about something',
      'hmm ok',
      'thanks I guess',
      'The invoice shows a double charge on my credit card this month',
      'call me',
    ];
    const inputs: TriageInput[] = texts.map((text) => ({ text, subject: null, features: { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: text.length, lifetimeOrderAmount: 120 } }));
    const model = await loadTriageModel({ version: '1.1.0' });
    const confidences = inputs.map((i) => model.classify(i).intentConfidence);
    const bound = [...confidences].sort((x, y) => x - y)[Math.floor(confidences.length / 2)]!; // the median: both sides occur
    const unsure = confidences.filter((c) => c < bound).length;
    expect(unsure).toBeGreaterThan(0);
    expect(unsure).toBeLessThan(inputs.length);

    await ops.register(TRIAGE_MODEL, 'llm-1', {
      kind: 'openai', baseUrl: server.baseUrl, model: 'local-small', prompt: 'Customer wrote: {{text}}', retries: { maxAttempts: 1 },
      outputSchema: {
        type: 'record', name: 'LlmTriage', namespace: 'spine.test', fields: [
          { name: 'sentiment', type: { type: 'enum', name: 'LlmSentiment', symbols: ['NEGATIVE', 'NEUTRAL', 'POSITIVE'] } },
          { name: 'sentimentScore', type: 'double' },
          { name: 'intent', type: { type: 'enum', name: 'LlmIntent', symbols: ['BILLING', 'REFUND', 'TECHNICAL_ISSUE', 'ACCOUNT_ACCESS', 'CANCELLATION', 'SHIPPING', 'FEEDBACK', 'OTHER'] } },
          { name: 'intentConfidence', type: 'double' },
          { name: 'priority', type: { type: 'enum', name: 'LlmPriority', symbols: ['P1', 'P2', 'P3', 'P4'] } },
        ],
      },
    }, { ...by, costPerThousandTokens: 0.5 });
    await ops.cascade(TRIAGE_STAGE, { version: 'llm-1', belowConfidence: bound }, by);
    await waitFor(() => control.routing(TRIAGE_STAGE).cascade?.version === 'llm-1');
    const reply = JSON.stringify({ sentiment: 'NEUTRAL', sentimentScore: 0, intent: 'FEEDBACK', intentConfidence: 0.95, priority: 'P3' });
    server.script(...Array.from({ length: unsure }, () => ({ content: reply })));

    const served = [];
    for (const [i, input] of inputs.entries()) served.push(await serving.serve(`customer-${i}`, input, signal()));
    expect(server.requests).toHaveLength(unsure);
    for (const [i, s] of served.entries()) {
      if (confidences[i]! < bound) {
        expect(s.model).toMatchObject({ version: 'llm-1', routing: 'CASCADE', escalatedFrom: '1.1.0' });
        expect(s.output.intent).toBe('FEEDBACK');
      } else {
        expect(s.model).toMatchObject({ version: '1.1.0', routing: 'CHAMPION', escalatedFrom: null });
      }
    }
    // The server's prompts are those of the unsure messages only.
    const prompts = server.requests.map((r) => r.body.messages!.at(-1)!.content);
    expect(prompts.sort()).toEqual(texts.filter((_, i) => confidences[i]! < bound).map((t) => `Customer wrote: ${t}`).sort());
    // Calls, tokens and the estimated cost are per version.
    const cost = (await registry.getSingleMetric('spine_model_cost_total')!.get()).values.find((v) => v.labels.version === 'llm-1');
    expect(cost!.value).toBeGreaterThan(0);
  });
});

async function waitFor(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
