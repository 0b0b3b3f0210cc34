import { Registry } from 'prom-client';
import { classifyFailure } from '@spine/runtime';
import { createModelAdapter, InvalidModelOutputError, ModelTimeoutError, type ModelAdapter } from '@spine/model-adapters';
import { startOpenAiServer, type OpenAiServer } from './openai-server.js';
import { failureOf } from '../harness/failure-of.js';

// What an LLM triage step is asked for: an Avro record (the same kind of schema the topics use).
const outputSchema = {
  type: 'record',
  name: 'LlmTriage',
  namespace: 'spine.ai',
  fields: [
    { name: 'sentiment', type: { type: 'enum', name: 'LlmSentiment', symbols: ['NEGATIVE', 'NEUTRAL', 'POSITIVE'] } },
    { name: 'urgent', type: 'boolean' },
    { name: 'summary', type: 'string', 'spine.maxLength': 60 },
  ],
};
const message = { text: 'I was charged twice and nobody answers my emails!', customer: { tier: 'gold' } };
const valid = { sentiment: 'NEGATIVE', urgent: true, summary: 'Double charge, no answer to emails' };
const API_KEY_ENV = 'SPINE_TEST_LLM_KEY';
const API_KEY = 'sk-test-0123456789';

let server: OpenAiServer;
const adapters: ModelAdapter<unknown, unknown>[] = [];
const opts = () => ({ signal: new AbortController().signal });

async function llm(overrides: Record<string, unknown> = {}, registry = new Registry()) {
  const adapter = await createModelAdapter(
    {
      kind: 'openai',
      name: 'support-llm',
      version: '0.1.0',
      baseUrl: server.baseUrl,
      model: 'local-small',
      apiKeyEnv: API_KEY_ENV,
      system: 'You triage customer support messages.',
      prompt: 'Customer tier {{customer.tier}} wrote: {{text}}',
      outputSchema,
      retries: { maxAttempts: 1 },
      timeoutMs: 2_000,
      ...overrides,
    },
    { registry, env: { [API_KEY_ENV]: API_KEY } },
  );
  adapters.push(adapter);
  return adapter;
}

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: API_KEY });
});
afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  await server?.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('openai adapter against an OpenAI-compatible server', () => {
  it('sends the rendered prompt with a JSON Schema response_format, parses a valid reply, records its tokens', async () => {
    const registry = new Registry();
    const adapter = await llm({}, registry);
    server.script({ content: JSON.stringify(valid) });
    await expect(adapter.predict([message], opts())).resolves.toEqual([valid]);

    const [request] = server.requests;
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.body.model).toBe('local-small');
    expect(request?.body.messages).toEqual([
      { role: 'system', content: 'You triage customer support messages.' },
      { role: 'user', content: `Customer tier gold wrote: ${message.text}` },
    ]);
    expect(request?.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'LlmTriage', strict: false, schema: { type: 'object', required: ['sentiment', 'urgent', 'summary'], properties: { sentiment: { enum: ['NEGATIVE', 'NEUTRAL', 'POSITIVE'] } } } },
    });
    const tokens = (await registry.getSingleMetric('spine_model_tokens_total')?.get())?.values ?? [];
    const count = (type: string) => tokens.find((v) => v.labels.type === type && v.labels.model === 'support-llm' && v.labels.version === '0.1.0')?.value;
    expect(count('prompt')).toBe(request?.usage?.prompt_tokens);
    expect(count('completion')).toBe(request?.usage?.completion_tokens);
    expect(request?.usage?.prompt_tokens).toBeGreaterThan(5);
  });

  it('fails the attempt (transient) on a reply that is not JSON, and succeeds when the retry answers well', async () => {
    const once = await llm();
    server.script({ content: 'The customer seems upset about a double charge.' });
    const error = await failureOf(once.predict([message], opts()));
    expect(error).toBeInstanceOf(InvalidModelOutputError);
    expect(classifyFailure(error)).toBe('transient');
    expect(error.message).toContain('the reply is not JSON');

    const twice = await llm({ retries: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 } });
    server.script({ content: '{"sentiment": "NEG' }, { content: JSON.stringify(valid) });
    await expect(twice.predict([message], opts())).resolves.toEqual([valid]);
    expect(server.requests).toHaveLength(3);
  });

  it('fails the attempt (transient) on a reply that violates the output schema, naming the fields', async () => {
    const adapter = await llm();
    server.script({ content: JSON.stringify({ sentiment: 'FURIOUS', urgent: 'yes', summary: valid.summary }) });
    const error = await failureOf(adapter.predict([message], opts()));
    expect(error).toBeInstanceOf(InvalidModelOutputError);
    expect(classifyFailure(error)).toBe('transient');
    expect(error.message).toContain('sentiment: sentiment must be one of the following values: NEGATIVE, NEUTRAL, POSITIVE; urgent: urgent must be a boolean value');
  });

  it("retries a 429 after the server's retry-after", async () => {
    const adapter = await llm({ retries: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 } });
    server.script({ status: 429, message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': '1' } }, { content: JSON.stringify(valid) });
    await expect(adapter.predict([message], opts())).resolves.toEqual([valid]);
    expect(server.requests).toHaveLength(2);
    const waited = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2_500);
  });

  it('times out a slow reply as a transient failure and aborts the request', async () => {
    const adapter = await llm({ timeoutMs: 300 });
    server.script({ content: JSON.stringify(valid), delayMs: 3_000 });
    const started = Date.now();
    const error = await failureOf(adapter.predict([message], opts()));
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect(classifyFailure(error)).toBe('transient');
    expect(Date.now() - started).toBeLessThan(1_500);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests[0]?.aborted).toBe(true);
  });

  it("classifies the server's error answers and keeps their message", async () => {
    const adapter = await llm();
    server.script({ status: 500, message: 'The server had an error while processing your request.' });
    const serverError = await failureOf(adapter.predict([message], opts()));
    expect(classifyFailure(serverError)).toBe('transient');
    expect(serverError.message).toContain('HTTP 500: The server had an error while processing your request.');

    const noKey = await createModelAdapter(
      { kind: 'openai', name: 'support-llm', version: '0.1.0', baseUrl: server.baseUrl, model: 'x', prompt: '{{text}}', outputSchema, retries: { maxAttempts: 1 } },
      { registry: new Registry() },
    );
    adapters.push(noKey);
    const refused = await failureOf(noKey.predict([message], opts()));
    expect(classifyFailure(refused)).toBe('outage'); // credentials are configuration: records wait, not dead-lettered
    expect(refused.message).toContain('HTTP 401: Incorrect API key provided');

    const missingField = await llm({ prompt: '{{subject}}: {{text}}' });
    expect(classifyFailure(await failureOf(missingField.predict([message], opts())))).toBe('permanent'); // the record lacks what the prompt needs
  });

  it('puts the schema in the system message in JSON mode, for servers without json_schema', async () => {
    const adapter = await llm({ structuredOutput: 'json_object' });
    server.script({ content: JSON.stringify(valid) });
    await expect(adapter.predict([message], opts())).resolves.toEqual([valid]);
    const body = server.requests[0]!.body;
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages?.[0]?.content).toContain('"enum":["NEGATIVE","NEUTRAL","POSITIVE"]');
  });
});
