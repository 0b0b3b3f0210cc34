import avro from 'avsc';
import { jsonSchemaOf } from '@spine/serde';
import { f } from '../config/fields.js';
import { defineKind } from '../config/kind.js';
import { AdapterConfigError, ModelTimeoutError } from '../errors.js';
import { failureForStatus, parseRetryAfter, unreachable } from './http-failures.js';
import { parseStructuredReply, type ChatReply } from './structured-output.js';
import { renderTemplate } from './template.js';

function checkAvroRecord(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || (value as { type?: unknown }).type !== 'record') return 'must be an Avro record schema ({"type": "record", "name": …, "fields": […]})';
  try {
    avro.Type.forSchema(value as avro.Schema);
    return undefined;
  } catch (error) {
    return `is not a valid Avro schema: ${(error as Error).message}`;
  }
}

/**
 * OpenAI-compatible chat completions (OpenAI, vLLM, Ollama, llama.cpp server, …) through the official `openai`
 * client: the prompt is a template over the input, the reply must be a JSON object valid against the output
 * schema (an Avro record schema; sent as a JSON Schema `response_format` when the backend supports it). A reply
 * that does not parse or validate is a failed attempt (InvalidModelOutputError, transient), never a result.
 */
export const openaiKind = defineKind({
  kind: 'openai',
  description: 'An OpenAI-compatible chat completions API (OpenAI, vLLM, Ollama, llama.cpp server). Inputs are objects the prompt template reads; outputs are the reply validated against `outputSchema`.',
  batchable: false,
  unbatchable: 'a chat completion takes one prompt per request',
  defaults: { timeoutMs: 60_000, maxConcurrency: 4, retries: { initialDelayMs: 500, maxDelayMs: 10_000 } },
  fields: {
    baseUrl: f.string({ description: 'API base URL, e.g. "https://api.openai.com/v1", "http://127.0.0.1:11434/v1" (Ollama), "http://127.0.0.1:8000/v1" (vLLM).', minLength: 1 }),
    model: f.string({ description: 'Model id on the server (e.g. "gpt-4o-mini", "llama3.1:8b").', minLength: 1 }),
    apiKeyEnv: f.string({ description: 'Environment variable holding the API key (secrets stay out of configuration); none for local servers.', optional: true }),
    system: f.string({ description: 'System message.', optional: true }),
    prompt: f.string({ description: 'User message template: `{{field.path}}` is replaced by that field of the input (strings as they are, other values as JSON); `{{.}}` is the whole input.', minLength: 1 }),
    outputSchema: f.json({ description: 'Avro record schema of the expected reply; the reply is validated against it (types, enums, spine.* constraints).', shape: 'Avro record schema', check: checkAvroRecord }),
    structuredOutput: f.string({
      description: '"json_schema": response_format with the JSON Schema of outputSchema (OpenAI, vLLM, Ollama, llama.cpp); "json_object": JSON mode, schema in the system message; "none": schema in the system message only.',
      enum: ['json_schema', 'json_object', 'none'],
      default: 'json_schema',
    }),
    strictSchema: f.boolean({ description: 'Ask for strict schema adherence (OpenAI `strict: true`; needs every field required).', default: false }),
    temperature: f.number({ description: 'Sampling temperature.', default: 0, min: 0, max: 2 }),
    maxTokens: f.integer({ description: 'Most completion tokens (`max_tokens`); a reply cut there is invalid.', optional: true, min: 1 }),
    headers: f.stringMap({ description: 'Extra request headers.', optional: true }),
  },
  async create(config, context) {
    const { default: OpenAI, APIError, APIConnectionTimeoutError } = await import('openai');
    const subject = `${config.name}@${config.version}`;
    const what = `${subject} (openai ${config.baseUrl} ${config.model})`;
    let apiKey = 'not-needed';
    if (config.apiKeyEnv) {
      const key = (context.env ?? process.env)[config.apiKeyEnv];
      if (!key) throw new AdapterConfigError([{ field: 'apiKeyEnv', message: `environment variable ${config.apiKeyEnv} is not set` }], subject);
      apiKey = key;
    }
    const schemaJson = config.outputSchema as avro.Schema;
    const output = { type: avro.Type.forSchema(schemaJson), json: schemaJson };
    const jsonSchema = jsonSchemaOf(output);
    const schemaName = ((schemaJson as { name?: string }).name ?? 'output').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
    const instructions = config.structuredOutput === 'json_schema' ? '' : `Answer with one JSON object only, no prose, valid against this JSON Schema: ${JSON.stringify(jsonSchema)}`;
    const system = [config.system, instructions].filter(Boolean).join('\n\n');
    const responseFormat =
      config.structuredOutput === 'json_schema'
        ? { type: 'json_schema' as const, json_schema: { name: schemaName, schema: jsonSchema, strict: config.strictSchema } }
        : config.structuredOutput === 'json_object'
          ? { type: 'json_object' as const }
          : undefined;
    // Retries and timeouts are the adapter's; the client's own are off (its timeout only as a backstop).
    const client = new OpenAI({ apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: config.timeoutMs + 1_000, defaultHeaders: config.headers, fetch: context.fetch });

    return {
      target: `${config.baseUrl} ${config.model}`,
      maxBatchSize: 1,
      async invoke(inputs: readonly unknown[], signal: AbortSignal) {
        const prompt = renderTemplate(config.prompt, inputs[0], what);
        let completion: ChatReply;
        try {
          completion = (await client.chat.completions.create(
            {
              model: config.model,
              messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: prompt }],
              temperature: config.temperature,
              ...(config.maxTokens ? { max_tokens: config.maxTokens } : {}),
              ...(responseFormat ? { response_format: responseFormat } : {}),
            },
            { signal },
          )) as ChatReply;
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (error instanceof APIConnectionTimeoutError) throw new ModelTimeoutError(what, config.timeoutMs + 1_000);
          if (error instanceof APIError && typeof error.status === 'number') {
            const detail = (error.error as { message?: unknown } | undefined)?.message;
            throw failureForStatus(error.status, what, typeof detail === 'string' ? detail : error.message, parseRetryAfter(error.headers));
          }
          if (error instanceof APIError) throw unreachable(what, error); // APIConnectionError: no answer at all
          throw error;
        }
        return parseStructuredReply(completion, output, what);
      },
    };
  },
});
