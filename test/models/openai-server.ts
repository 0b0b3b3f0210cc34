import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OpenAI-compatible server (POST /v1/chat/completions), speaking the API's request and response shapes:
 * it validates requests as the API does (400 `invalid_request_error` bodies, 401 without the right key, 404 for
 * unknown paths) and answers what the test scripts, in order: a completion (content, finish_reason, usage) or an
 * error (status, OpenAI error body, headers such as `retry-after`), either after a delay. Unscripted requests get
 * a 500 error body, so a test never passes on a reply it did not write.
 */
export type ScriptedReply =
  | { readonly content: string | null; readonly finishReason?: 'stop' | 'length'; readonly refusal?: string; readonly delayMs?: number }
  | { readonly status: number; readonly message: string; readonly type?: string; readonly code?: string; readonly headers?: Record<string, string>; readonly delayMs?: number };

export interface RecordedRequest {
  readonly body: { model?: unknown; messages?: Array<{ role: string; content: string }>; response_format?: any; temperature?: unknown; max_tokens?: unknown };
  readonly headers: IncomingHttpHeaders;
  readonly receivedAt: number;
  /** The client hung up before the reply was sent (e.g. its timeout aborted the request). */
  aborted: boolean;
  /** The usage the server reported, when it answered a completion. */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface OpenAiServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  script(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function apiError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

/** What the API refuses with 400 before any model runs. */
function requestProblem(body: RecordedRequest['body']): { message: string; param: string } | undefined {
  if (typeof body.model !== 'string' || !body.model) return { message: "you must provide a model parameter", param: 'model' };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { message: "'messages' must be a non-empty array", param: 'messages' };
  const bad = body.messages.findIndex((m) => !['system', 'user', 'assistant', 'developer'].includes(m?.role) || typeof m?.content !== 'string');
  if (bad >= 0) return { message: `Invalid message at messages[${bad}]`, param: `messages[${bad}]` };
  const format = body.response_format;
  if (format !== undefined) {
    if (!['text', 'json_object', 'json_schema'].includes(format?.type)) return { message: `Invalid response_format type ${JSON.stringify(format?.type)}`, param: 'response_format.type' };
    if (format.type === 'json_schema' && (typeof format.json_schema?.name !== 'string' || typeof format.json_schema?.schema !== 'object')) {
      return { message: 'response_format.json_schema needs a name and a schema', param: 'response_format.json_schema' };
    }
  }
  return undefined;
}

export async function startOpenAiServer(options: { apiKey?: string } = {}): Promise<OpenAiServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  let completions = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendJson(res, 404, apiError(`Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error', null, 'unknown_url'));
      if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return sendJson(res, 401, apiError('Incorrect API key provided', 'invalid_request_error', null, 'invalid_api_key'));
      }
      let body: RecordedRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendJson(res, 400, apiError('We could not parse the JSON body of your request.', 'invalid_request_error'));
      }
      const record: RecordedRequest = { body, headers: req.headers, receivedAt: Date.now(), aborted: false };
      requests.push(record);
      const problem = requestProblem(body);
      if (problem) return sendJson(res, 400, apiError(problem.message, 'invalid_request_error', problem.param));
      const reply = queue.shift() ?? { status: 500, message: 'the test scripted no reply for this request', type: 'server_error' };
      const answer = () => {
        if ('status' in reply) return sendJson(res, reply.status, apiError(reply.message, reply.type ?? 'server_error', null, reply.code ?? null), reply.headers);
        const prompt = body.messages!.map((m) => m.content).join('\n');
        const usage = { prompt_tokens: words(prompt), completion_tokens: words(reply.content ?? ''), total_tokens: 0 };
        usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
        record.usage = usage;
        completions += 1;
        sendJson(res, 200, {
          id: `chatcmpl-${completions}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply.content, refusal: reply.refusal ?? null }, logprobs: null, finish_reason: reply.finishReason ?? 'stop' }],
          usage,
        });
      };
      if (!reply.delayMs) return answer();
      const timer = setTimeout(answer, reply.delayMs);
      res.on('close', () => {
        if (!res.writableFinished) {
          record.aborted = true;
          clearTimeout(timer);
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
