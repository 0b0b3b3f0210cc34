import { classifyFailure } from '@spine/runtime';
import { errorDetail, failureForStatus, parseRetryAfter, unreachable } from './http-failures.js';

const headers = (h: Record<string, string>) => new Headers(h);

describe('HTTP failures', () => {
  it('reads retry-after-ms, retry-after seconds and retry-after dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }))).toBe(500);
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Tue, 01 Dec 2026 10:00:07 GMT' }), now)).toBe(7_000);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(headers({}))).toBeUndefined();
  });

  it.each([
    [429, 'transient', 'rate_limited'],
    [500, 'transient', 'http_500'],
    [408, 'transient', 'http_408'],
    [502, 'outage', 'http_502'],
    [503, 'outage', 'http_503'],
    [504, 'outage', 'http_504'],
    [401, 'outage', 'http_401'],
    [403, 'outage', 'http_403'],
    [404, 'outage', 'http_404'],
    [400, 'permanent', 'http_400'],
    [413, 'permanent', 'http_413'],
    [422, 'permanent', 'http_422'],
  ])('HTTP %i is %s (%s)', (status, kind, reason) => {
    const error = failureForStatus(status, 'm@1', 'detail', undefined);
    expect(classifyFailure(error)).toBe(kind);
    expect((error as Error & { reason: string }).reason).toBe(reason);
    expect(error.message).toContain(`m@1: HTTP ${status}: detail`);
  });

  it('keeps the retry-after of a 429 and a 503', () => {
    expect(failureForStatus(429, 'm', '', 1_500)).toMatchObject({ retryAfterMs: 1_500 });
    expect(failureForStatus(503, 'm', '', 2_000)).toMatchObject({ retryAfterMs: 2_000 });
  });

  it('treats a request that got no answer as an outage, naming the network error', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    const error = unreachable('m@1', refused);
    expect(classifyFailure(error)).toBe('outage');
    expect(error.message).toBe('m@1: unreachable (ECONNREFUSED): fetch failed: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('takes the telling part of an error body', () => {
    expect(errorDetail('{"error":"Model nope not found"}')).toBe('Model nope not found'); // OIP v2
    expect(errorDetail('{"error":{"message":"Rate limit reached","type":"requests"}}')).toBe('Rate limit reached'); // OpenAI
    expect(errorDetail('{"detail":[{"msg":"field required"}]}')).toBe('[{"msg":"field required"}]'); // FastAPI
    expect(errorDetail(`Traceback (most recent call last):\n${'  File "x.py"\n'.repeat(40)}ValueError: X has 2 features`)).toBe('ValueError: X has 2 features');
  });
});
