import { alertStats, averagePrecision, rocAuc, thresholdAtAlertRate } from './metrics.js';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [true, true, false, false])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [true, true, false, false])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
  });

  it('counts ordered fraud/genuine pairs, ties as half', () => {
    // pairs (fraud above genuine): 0.9 > 0.8, 0.9 > 0.6, 0.7 > 0.6 → 3 of 4
    expect(rocAuc([0.9, 0.8, 0.7, 0.6], [true, false, true, false])).toBe(0.75);
    // 0.7 (fraud) ties 0.7 (genuine): ½; 0.7 > 0.1: 1 → 1.5 of 2
    expect(rocAuc([0.7, 0.7, 0.1], [true, false, false])).toBe(0.75);
  });

  it('needs both classes', () => {
    expect(() => rocAuc([0.1, 0.2], [false, false])).toThrow(/both/);
  });
});

describe('averagePrecision', () => {
  it('averages the precision at each fraud found, highest score first', () => {
    // ranks: fraud (P 1/1), genuine, fraud (P 2/3) → (1 + 2/3) / 2
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [true, false, true, false])).toBeCloseTo(5 / 6, 12);
    expect(averagePrecision([0.9, 0.8, 0.2], [true, true, false])).toBe(1);
  });

  it('treats a group of tied scores as one cut', () => {
    expect(averagePrecision([0.5, 0.5], [true, false])).toBe(0.5);
  });
});

describe('alert thresholds', () => {
  const scores = Array.from({ length: 100 }, (_, i) => i / 100);
  const labels = scores.map((s) => s >= 0.97);

  it('picks the lowest score of the top share', () => {
    expect(thresholdAtAlertRate(scores, 0.02)).toBe(0.98);
    expect(thresholdAtAlertRate(scores, 0.001)).toBe(0.99); // at least one alert
    expect(() => thresholdAtAlertRate(scores, 0)).toThrow(/alert rate/);
  });

  it('reports alerts, precision and recall at a threshold', () => {
    expect(alertStats(scores, labels, 0.95)).toEqual({
      threshold: 0.95,
      alerts: 5,
      alertRate: 0.05,
      truePositives: 3,
      precision: 0.6,
      recall: 1,
    });
    expect(alertStats(scores, labels, 2)).toMatchObject({ alerts: 0, precision: 0, recall: 0 });
  });
});
