import { ModelInputRefusedError, ModelRateLimitedError, ModelServerError, ModelUnavailableError } from '../errors.js';

/** Reads what a server asks us to wait: `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * An HTTP error answer as the error class that says how to handle it:
 * 429 rate limited (transient, honours retry-after); 408 and 5xx transient, except 502/503/504 (the backend or its
 * gateway is unavailable: an outage); 401/403/404 an outage too (credentials, permissions or the model name are
 * configuration: records wait until it is fixed, they are not dead-lettered); any other 4xx refuses the input
 * for good (permanent).
 */
export function failureForStatus(status: number, what: string, detail: string, retryAfterMs: number | undefined): Error {
  const message = `${what}: HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 429) return new ModelRateLimitedError(message, retryAfterMs);
  if (status === 502 || status === 503 || status === 504) return new ModelUnavailableError(message, `http_${status}`, { retryAfterMs });
  if (status === 401 || status === 403) return new ModelUnavailableError(`${message} (check the adapter's credentials)`, `http_${status}`);
  if (status === 404) return new ModelUnavailableError(`${message} (check the adapter's URL and model name/version)`, 'http_404');
  if (status === 408 || status >= 500) return new ModelServerError(message, status, retryAfterMs);
  return new ModelInputRefusedError(message, status);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** An error and its causes (duck-typed: fetch's errors may come from another realm, where `instanceof Error` fails). */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e: unknown = error; typeof e === 'object' && e !== null && chain.length < 6; e = (e as ErrorLike).cause) chain.push(e as ErrorLike);
  return chain;
}

/** The network error code somewhere in a cause chain (fetch wraps it: TypeError 'fetch failed' → cause.code). */
export function networkCode(error: unknown): string | undefined {
  return causeChain(error)
    .map((e) => e.code)
    .find((code): code is string => typeof code === 'string' && NETWORK_CODES.has(code));
}

/** A request that never got an answer (refused, reset, DNS): the backend is unreachable. */
export function unreachable(what: string, error: unknown): ModelUnavailableError {
  const code = networkCode(error) ?? 'connection';
  const messages = causeChain(error).map((e) => String(e.message ?? '')).filter(Boolean);
  const detail = [...new Set(messages)].join(': ') || String(error);
  return new ModelUnavailableError(`${what}: unreachable (${code}): ${detail}`, 'connection', { cause: error });
}

/** The most telling part of an error body: OIP `{ error }`, OpenAI `{ error: { message } }`, FastAPI `{ detail }`, or text. */
export function errorDetail(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: unknown; detail?: unknown; message?: unknown };
    const error = json.error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    if (json.detail !== undefined) return typeof json.detail === 'string' ? json.detail : JSON.stringify(json.detail).slice(0, 300);
    if (typeof json.message === 'string') return json.message;
  } catch {
    // not JSON: the text itself
  }
  const text = body.trim();
  const lastLine = text.split('\n').filter(Boolean).pop() ?? '';
  return (text.length > 300 ? lastLine : text).slice(0, 300);
}
