import type { MerchantCategory, PaymentChannel, PaymentTransactionReceived } from '@spine/schemas';
import { transactionFeatures, type PriorPayment } from './features.js';
import { generateTransactions, toPaymentTransactionReceived } from './generator.js';
import { createFraudModel, decide, type FraudInput } from './model.js';
import { readFraudArtifact } from './model-loader.js';
import { replayFeatures } from './replay.js';
import { CATEGORY_PREFIX, FEATURE_NAMES, featureVector } from './vector.js';

const artifact = readFraudArtifact();
const model = createFraudModel(artifact);

const T = Date.parse('2026-10-20T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface Payment {
  amount: string;
  merchantId: string;
  merchantCategory: MerchantCategory;
  channel: PaymentChannel;
  country: string;
  occurredAt: Date;
}

function event(p: Payment): PaymentTransactionReceived {
  const metadata = { eventId: 'evt-1', occurredAt: p.occurredAt, receivedAt: p.occurredAt, source: 'test', correlationId: 'c-1' };
  return { metadata, transactionId: 'tx-1', cardId: 'card-1', customerId: 'cust-1', currency: 'EUR', ...p };
}

/** A card with 20 days of groceries at two shops at home (DE), one a day. */
function homeHistory(): PriorPayment[] {
  return Array.from({ length: 20 }, (_, i) => ({
    amount: 30 + (i % 5) * 7,
    merchantId: i % 2 === 0 ? 'mch-grocer' : 'mch-bakery',
    country: 'DE',
    occurredAt: new Date(T - (20 - i) * DAY + 2 * HOUR),
  }));
}

function input(p: Payment, history: PriorPayment[], customerPaymentsLast24h = 0): FraudInput {
  return { transaction: event(p), features: transactionFeatures(p, { cardPayments: history, customerPaymentsLast24h }) };
}

const homePurchase = input(
  { amount: '42.10', merchantId: 'mch-grocer', merchantCategory: 'GROCERY', channel: 'CARD_PRESENT', country: 'DE', occurredAt: new Date(T) },
  homeHistory(),
);

/** Six small online payments three minutes apart at merchants the card never used; the last one is scored. */
function cardTestingBurst(): FraudInput {
  const history = homeHistory();
  let last: FraudInput | undefined;
  for (let i = 0; i < 6; i += 1) {
    const p: Payment = {
      amount: (1 + i * 0.37).toFixed(2),
      merchantId: `mch-new-${i}`,
      merchantCategory: i % 2 === 0 ? 'DIGITAL_GOODS' : 'OTHER',
      channel: 'ONLINE',
      country: 'US',
      occurredAt: new Date(T - 4 * HOUR + i * 3 * MIN),
    };
    last = input(p, history, i);
    history.push({ amount: Number(p.amount), merchantId: p.merchantId, country: p.country, occurredAt: p.occurredAt });
  }
  return last!;
}

const accountTakeover = input(
  { amount: '1299.00', merchantId: 'mch-shop', merchantCategory: 'ELECTRONICS', channel: 'ONLINE', country: 'GB', occurredAt: new Date(T) },
  homeHistory(),
);

/** Contributions as the doc of createFraudModel defines them, recomputed from the artifact. */
function expectedReasons(x: number[], category: MerchantCategory): string[] {
  const c = x.map((v, j) => artifact.weights[j]! * ((v - artifact.mean[j]!) / artifact.std[j]!));
  const candidates: Array<{ name: string; c: number; j: number }> = [];
  let categoryTotal = 0;
  FEATURE_NAMES.forEach((name, j) => {
    if (name.startsWith(CATEGORY_PREFIX)) categoryTotal += c[j]!;
    else candidates.push({ name, c: c[j]!, j });
  });
  const own = `${CATEGORY_PREFIX}${category}`;
  candidates.push({ name: own, c: categoryTotal, j: FEATURE_NAMES.indexOf(own) });
  return candidates
    .filter((r) => r.c > 0)
    .sort((a, b) => b.c - a.c || a.j - b.j)
    .slice(0, 3)
    .map((r) => r.name);
}

describe('FraudModel.score', () => {
  const home = model.score(homePurchase);
  const testing = model.score(cardTestingBurst());
  const takeover = model.score(accountTakeover);

  it('approves an ordinary purchase at a usual shop at home', () => {
    expect(home.decision).toBe('APPROVE');
    expect(home.score).toBeGreaterThan(0);
    expect(home.score).toBeLessThan(model.thresholds.review);
  });

  it('scores a card-testing burst far above the home purchase, high enough to review', () => {
    expect(testing.score).toBeGreaterThan(100 * home.score);
    expect(testing.score).toBeGreaterThanOrEqual(model.thresholds.review);
    expect(testing.decision).not.toBe('APPROVE');
    expect(testing.reasons.some((r) => ['newMerchantForCard', 'cardDistinctMerchants24h', 'cardTxLast1h', 'secondsSincePreviousCardTx'].includes(r))).toBe(true);
  });

  it('scores an account takeover (big online electronics, new merchant abroad) far above the home purchase', () => {
    expect(takeover.score).toBeGreaterThan(100 * home.score);
    expect(takeover.score).toBeGreaterThanOrEqual(model.thresholds.review);
    expect(takeover.reasons.some((r) => ['amount', 'amountAboveCardAvg'].includes(r))).toBe(true);
  });

  it('gives a lower score to the same big purchase at a shop the card already uses at home', () => {
    const history = [...homeHistory(), { amount: 80, merchantId: 'mch-shop', country: 'DE', occurredAt: new Date(T - 5 * DAY) }];
    const known = model.score(
      input(
        { amount: '1299.00', merchantId: 'mch-shop', merchantCategory: 'ELECTRONICS', channel: 'ONLINE', country: 'DE', occurredAt: new Date(T) },
        history,
      ),
    );
    expect(known.score).toBeLessThan(takeover.score);
  });

  it('is pure: same input, same output', () => {
    expect(model.score(cardTestingBurst())).toEqual(testing);
  });

  describe('on generated payments', () => {
    const rows = replayFeatures(generateTransactions({ seed: 42, customers: 80 }));
    const inputs = rows.map((r) => ({ transaction: toPaymentTransactionReceived(r.tx), features: r.features }));
    const outputs = inputs.map((i) => model.score(i));

    it('returns probabilities and decisions that follow the thresholds', () => {
      const { review, decline } = artifact.thresholds;
      expect(outputs.filter((o) => !(o.score > 0 && o.score < 1))).toEqual([]);
      const expected = outputs.map((o) => (o.score >= decline ? 'DECLINE' : o.score >= review ? 'REVIEW' : 'APPROVE'));
      expect(outputs.map((o) => o.decision)).toEqual(expected);
      const decisions = new Set(outputs.map((o) => o.decision));
      expect(decisions).toEqual(new Set(['APPROVE', 'REVIEW', 'DECLINE']));
    });

    it('gives up to three reasons: the strongest positive contributions, category columns as one', () => {
      const expected = inputs.map((inp) => {
        const x = featureVector(inp.features, { ...inp.transaction, occurredAt: inp.transaction.metadata.occurredAt });
        return expectedReasons(x, inp.transaction.merchantCategory);
      });
      expect(outputs.map((o) => o.reasons)).toEqual(expected);
      expect(outputs.filter((o) => o.reasons.length > 3 || new Set(o.reasons).size !== o.reasons.length)).toEqual([]);
      const foreignCategory = outputs.filter((o, i) =>
        o.reasons.some((r) => r.startsWith(CATEGORY_PREFIX) && r !== `${CATEGORY_PREFIX}${inputs[i]!.transaction.merchantCategory}`),
      );
      expect(foreignCategory).toEqual([]);
      expect(outputs.filter((o) => o.decision !== 'APPROVE').every((o) => o.reasons.length > 0)).toBe(true);
    });

    it('moves decisions with the artifact thresholds', () => {
      const strict = createFraudModel({ ...artifact, thresholds: { review: 1e-9, decline: 1e-9 } });
      const lax = createFraudModel({ ...artifact, thresholds: { review: 0.999999, decline: 0.9999999 } });
      expect(inputs.slice(0, 200).every((i) => strict.score(i).decision === 'DECLINE')).toBe(true);
      expect(inputs.slice(0, 200).every((i) => lax.score(i).decision === 'APPROVE')).toBe(true);
    });

    it('is fast: well under 0.1 ms per payment', () => {
      // Best of 20 batches of 500 calls: robust to a busy machine, still catches a slow implementation.
      let best = Infinity;
      for (let batch = 0; batch < 20; batch += 1) {
        const start = performance.now();
        for (let k = 0; k < 500; k += 1) model.score(inputs[(batch * 500 + k) % inputs.length]!);
        best = Math.min(best, (performance.now() - start) / 500);
      }
      expect(best).toBeLessThan(0.1);
    });
  });
});

describe('decide', () => {
  const thresholds = { review: 0.1, decline: 0.5 };
  it('applies score ≥ decline → DECLINE, ≥ review → REVIEW, else APPROVE', () => {
    expect(decide(0.0999, thresholds)).toBe('APPROVE');
    expect(decide(0.1, thresholds)).toBe('REVIEW');
    expect(decide(0.4999, thresholds)).toBe('REVIEW');
    expect(decide(0.5, thresholds)).toBe('DECLINE');
  });
});
