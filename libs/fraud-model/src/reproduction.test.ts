import { FRAUD_PATTERNS } from './generator.js';
import { thresholdAtAlertRate } from './metrics.js';
import { loadFraudModel, readFraudArtifact } from './model-loader.js';
import { buildDataset, scoreRows, splitMetrics } from './training.js';

// The shipped artifact's figures, reproduced from scratch: regenerate the full synthetic data from the recorded seed,
// replay it through transactionFeatures(), score it with the shipped weights through the public score(). (~3 s.)
// Retraining to the identical artifact takes longer; `scripts/train.mjs --check` verifies it (see README).
const artifact = readFraudArtifact('1.0.0');
const model = loadFraudModel('1.0.0');
const dataset = buildDataset({
  seed: artifact.data.seed,
  customers: artifact.data.customers,
  days: artifact.data.days,
  start: artifact.data.start,
  compromiseRate: artifact.data.compromiseRate,
});

describe('fraud-lr 1.0.0 reproduction', () => {
  it('regenerates the data the artifact describes', () => {
    const frauds = dataset.rows.filter((r) => r.tx.isFraud).length;
    expect(dataset.rows.length).toBe(artifact.data.transactions);
    expect(dataset.cards).toBe(artifact.data.cards);
    expect(frauds).toBe(artifact.data.frauds);
    for (const p of FRAUD_PATTERNS) {
      expect(dataset.rows.filter((r) => r.tx.fraudPattern === p).length).toBe(artifact.data.fraudsByPattern[p]);
    }
    // The brief of the data: ~3,000 cards, fraud 1–2 % of payments.
    expect(dataset.cards).toBeGreaterThan(2800);
    expect(dataset.cards).toBeLessThan(3200);
    expect(artifact.data.fraudRate).toBeGreaterThan(0.01);
    expect(artifact.data.fraudRate).toBeLessThan(0.02);
  });

  it('reproduces every test-split metric with the shipped weights', () => {
    const scores = scoreRows(model, dataset.test);
    const m = splitMetrics(dataset.test, scores, model.thresholds, artifact.metrics.test.days);
    const shipped = artifact.metrics.test;
    expect(m.transactions).toBe(shipped.transactions);
    expect(m.frauds).toBe(shipped.frauds);
    expect(Math.abs(m.rocAuc - shipped.rocAuc)).toBeLessThan(1e-9);
    expect(Math.abs(m.averagePrecision - shipped.averagePrecision)).toBeLessThan(1e-9);
    for (const key of ['alertRate1pct', 'review', 'decline'] as const) {
      expect(m[key].alerts).toBe(shipped[key].alerts);
      expect(Math.abs(m[key].precision - shipped[key].precision)).toBeLessThan(1e-9);
      expect(Math.abs(m[key].recall - shipped[key].recall)).toBeLessThan(1e-9);
    }
    expect(m.recallAtReviewByPattern).toEqual(shipped.recallAtReviewByPattern);
    // The figures the README promises.
    expect(m.rocAuc).toBeGreaterThanOrEqual(0.9);
    expect(m.rocAuc).toBeLessThan(0.995);
  });

  it('reproduces the thresholds: 2 % and 0.3 % alert rates on the training split', () => {
    const scores = scoreRows(model, dataset.train);
    expect(thresholdAtAlertRate(scores, 0.02)).toBe(artifact.thresholds.review);
    expect(thresholdAtAlertRate(scores, 0.003)).toBe(artifact.thresholds.decline);
  });

  it('splits by time: training days 1–45 only, test days 46–60', () => {
    const split = dataset.splitAt.getTime();
    expect(dataset.train.every((r) => r.tx.occurredAt.getTime() < split)).toBe(true);
    expect(dataset.test.every((r) => r.tx.occurredAt.getTime() >= split)).toBe(true);
    expect(dataset.splitAt.toISOString()).toBe('2026-10-16T00:00:00.000Z');
  });
});
