import { defaultGuard } from '../routing/defaults.js';
import { scorePsi } from './psi.js';
import { VersionHealth, breachOf } from './version-health.js';

describe('VersionHealth and breachOf', () => {
  let t = 0;
  const clock = () => t;
  const guard = { ...defaultGuard(), windowMs: 10_000, minCalls: 10, maxLatencyP95Ms: 100, minAgreement: 0.8 };

  beforeEach(() => (t = 1_000_000));

  it('judges nothing before minCalls, then names the bound crossed', () => {
    const h = new VersionHealth(clock);
    for (let i = 0; i < 9; i++) h.record({ ok: false, timeout: false, latencyMs: 5 });
    expect(breachOf(h.snapshot(guard.windowMs), guard, null)).toBeNull();
    h.record({ ok: false, timeout: false, latencyMs: 5 });
    expect(breachOf(h.snapshot(guard.windowMs), guard, null)).toMatch(/^error rate 100.0 % over 10 calls exceeds 10.0 %/);
  });

  it('sees a slow version by its p95 and forgets calls older than the window', () => {
    const h = new VersionHealth(clock);
    for (let i = 0; i < 20; i++) h.record({ ok: true, timeout: false, latencyMs: i < 17 ? 10 : 500 });
    expect(breachOf(h.snapshot(guard.windowMs), guard, null)).toMatch(/^latency p95 500 ms/);
    t += 11_000;
    expect(h.snapshot(guard.windowMs).calls).toBe(0);
  });

  it('rolls back on disagreement with the champion and on output shift', () => {
    const h = new VersionHealth(clock);
    for (let i = 0; i < 10; i++) h.compare(i < 5);
    expect(breachOf(h.snapshot(guard.windowMs), guard, null)).toMatch(/^agreement with the champion 50.0 %/);
    const healthy = new VersionHealth(clock);
    for (let i = 0; i < 20; i++) healthy.record({ ok: true, timeout: false, latencyMs: 1, score: i / 20 });
    expect(breachOf(healthy.snapshot(guard.windowMs), { ...guard, maxOutputShift: 0.2 }, 0.5)).toMatch(/^output shift/);
    expect(breachOf(healthy.snapshot(guard.windowMs), { ...guard, maxOutputShift: 0.2 }, 0.1)).toBeNull();
  });

  it('scorePsi: about 0 for the same distribution, large for a shifted one', () => {
    const base = Array.from({ length: 500 }, (_, i) => (i % 100) / 100);
    const shifted = base.map((x) => Math.min(0.999, x * 0.3 + 0.7));
    expect(scorePsi(base, base)).toBeCloseTo(0, 6);
    expect(scorePsi(base, shifted)!).toBeGreaterThan(1);
    expect(scorePsi(base, [0.1])).toBeNull();
  });
});
