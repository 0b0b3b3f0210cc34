import { classifyFailure } from '@spine/runtime';
import { CircuitOpenError } from '../errors.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';

const options: CircuitBreakerOptions = { enabled: true, consecutiveFailures: 3, failureRate: 0.5, window: 10, minimumCalls: 6, cooldownMs: 1_000 };

function breaker(overrides: Partial<CircuitBreakerOptions> = {}) {
  let now = 0;
  const states: CircuitState[] = [];
  const b = new CircuitBreaker('m@1', { ...options, ...overrides }, (s) => states.push(s), () => now);
  const attempt = (outcome: 'success' | 'failure' | 'neutral') => b.record(outcome, b.acquire());
  return { b, states, attempt, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after consecutive failures and then fails fast as an outage', () => {
    const { b, attempt } = breaker();
    attempt('failure');
    attempt('failure');
    attempt('success'); // resets the run
    attempt('failure');
    attempt('failure');
    expect(b.state).toBe('closed');
    attempt('failure');
    expect(b.state).toBe('open');
    const error = (() => {
      try {
        b.acquire();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(classifyFailure(error)).toBe('outage');
    expect((error as CircuitOpenError).retryInMs).toBe(1_000);
  });

  it('opens on the failure rate of the window, once it holds minimumCalls', () => {
    const { b, attempt } = breaker({ consecutiveFailures: 100 });
    for (const o of ['failure', 'success', 'failure', 'success', 'failure'] as const) attempt(o);
    expect(b.state).toBe('closed'); // 3/5 failed, but fewer than 6 calls
    attempt('failure'); // 4/6
    expect(b.state).toBe('open');
  });

  it('forgets outcomes that left the window', () => {
    const { b, attempt } = breaker({ consecutiveFailures: 100, window: 4, minimumCalls: 4, failureRate: 0.75 });
    for (const o of ['failure', 'failure', 'success', 'success', 'success', 'failure', 'failure'] as const) attempt(o);
    expect(b.state).toBe('closed'); // window [S, S, F, F]: 2/4
    attempt('failure'); // [S, F, F, F]
    expect(b.state).toBe('open');
  });

  it('lets one probe through after the cool-down: success closes, failure re-opens', () => {
    const { b, states, advance } = breaker();
    for (let i = 0; i < 3; i += 1) b.record('failure', b.acquire());
    advance(999);
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    advance(1);
    const probe = b.acquire();
    expect(probe).toBe(true);
    expect(b.state).toBe('half-open');
    expect(() => b.acquire()).toThrow(/probe is let through in 0 ms/); // only one probe at a time
    b.record('failure', probe);
    expect(b.state).toBe('open');
    expect(() => b.acquire()).toThrow(CircuitOpenError); // a new cool-down
    advance(1_000);
    b.record('success', b.acquire());
    expect(b.state).toBe('closed');
    expect(b.acquire()).toBe(false);
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('a probe whose caller gave up lets the next call probe', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i += 1) b.record('failure', b.acquire());
    advance(1_000);
    b.record('neutral', b.acquire());
    expect(b.state).toBe('half-open');
    expect(b.acquire()).toBe(true);
  });

  it('does nothing when disabled', () => {
    const { b, attempt } = breaker({ enabled: false });
    for (let i = 0; i < 20; i += 1) attempt('failure');
    expect(b.state).toBe('closed');
  });
});
