import type { IncomingMessage } from 'node:http';
import { BadRequestException, HttpException, HttpStatus, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';

/** Nesting deeper than this is refused: no Spine body needs it, and deep values cost recursion everywhere downstream. */
export const MAX_JSON_DEPTH = 64;

/** SPINE_HTTP_BODY_LIMIT: bytes, or with a unit (`512kb`, `5mb`); default 5 MB. */
export function bodyLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = (env.SPINE_HTTP_BODY_LIMIT ?? '5mb').trim().toLowerCase();
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/.exec(raw);
  if (!match) throw new Error(`SPINE_HTTP_BODY_LIMIT must be a size like 5mb or 524288, got "${env.SPINE_HTTP_BODY_LIMIT}"`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b') as 'b' | 'kb' | 'mb' | 'gb'];
  return Math.floor(Number(match[1]) * unit);
}

/**
 * Reads and parses a JSON request body into `request.body`, after authentication (ApiKeyGuard calls it last,
 * so no unauthenticated byte is ever parsed). Refuses with the right status: 415 for another content type,
 * charset or content-encoding, 413 past the limit (before reading, when Content-Length says so), 400 for
 * invalid UTF-8, lone surrogates, invalid JSON or nesting deeper than MAX_JSON_DEPTH. No body: left undefined.
 */
export async function readJsonBody(request: IncomingMessage & { body?: unknown }, limitBytes: number): Promise<void> {
  if (request.body !== undefined) return;
  const length = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || length === '0')) return;
  const [mediaType, ...params] = (request.headers['content-type'] ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (!mediaType || !(mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType))) {
    throw new UnsupportedMediaTypeException({ statusCode: 415, error: 'Unsupported Media Type', message: `Content-Type must be application/json, got ${JSON.stringify(mediaType || '(none)')}` });
  }
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException({ statusCode: 415, error: 'Unsupported Media Type', message: `only UTF-8 JSON is accepted, got charset=${charset}` });
  }
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    throw new UnsupportedMediaTypeException({ statusCode: 415, error: 'Unsupported Media Type', message: `Content-Encoding ${encoding} is not accepted; send the body uncompressed` });
  }
  if (length !== undefined && Number(length) > limitBytes) throw tooLarge(limitBytes);

  const bytes = await readAll(request, limitBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // also drops a leading BOM
  } catch {
    throw invalid('the body is not valid UTF-8');
  }
  if (!text.trim()) return;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalid(`the body is not valid JSON: ${error instanceof RangeError ? 'nested too deeply' : (error as Error).message}`);
  }
  const problem = shapeProblem(body);
  if (problem) throw invalid(problem);
  request.body = body;
}

function readAll(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: HttpException) => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (error) {
        request.resume(); // discard the rest; the response goes out as soon as the refusal is sent
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) done(tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () => done(invalid('the request body could not be read'));
    const onAborted = () => done(invalid('the request body was cut off'));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

/** Depth and well-formed strings, checked without recursion (the value may be as deep as the parser allowed). */
function shapeProblem(root: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (!wellFormed(value)) return 'the body contains a lone UTF-16 surrogate (\\ud800-\\udfff escape) that is not a character';
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) return `the body is nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (!wellFormed(key)) return 'the body contains a lone UTF-16 surrogate in a property name';
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** String.prototype.isWellFormed (ES2024, Node 20+): no unpaired surrogate. */
function wellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function tooLarge(limitBytes: number): HttpException {
  return new PayloadTooLargeException({ statusCode: HttpStatus.PAYLOAD_TOO_LARGE, error: 'Payload Too Large', message: `the body is larger than ${limitBytes} bytes (SPINE_HTTP_BODY_LIMIT)` });
}

function invalid(message: string): HttpException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, issues: [{ field: '(root)', message }] });
}
