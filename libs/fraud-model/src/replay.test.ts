import { transactionFeatures } from './features.js';
import { generateTransactions } from './generator.js';
import { replayFeatures } from './replay.js';

const DAY = 86_400_000;

describe('replayFeatures', () => {
  const txs = generateTransactions({ seed: 42, customers: 25 });
  const rows = replayFeatures(txs);

  it('gives each payment the features of the full earlier history, computed by transactionFeatures', () => {
    expect(rows).toHaveLength(txs.length);
    expect(rows.every((r, i) => r.tx === txs[i])).toBe(true);
    // Brute force: every earlier payment of the card (30 days) and of the customer (24 h), from the whole stream.
    const expected = txs.map((tx, i) => {
      const t = tx.occurredAt.getTime();
      const cardPayments = [];
      let customerPaymentsLast24h = 0;
      for (let j = 0; j < i; j += 1) {
        const p = txs[j]!;
        const pt = p.occurredAt.getTime();
        if (p.cardId === tx.cardId && pt >= t - 30 * DAY) {
          cardPayments.push({ amount: Number(p.amount), merchantId: p.merchantId, country: p.country, occurredAt: p.occurredAt });
        }
        if (p.customerId === tx.customerId && pt >= t - DAY) customerPaymentsLast24h += 1;
      }
      return transactionFeatures(tx, { cardPayments, customerPaymentsLast24h });
    });
    expect(rows.map((r) => r.features)).toEqual(expected);
  });

  it('sees bursts: some payments have several on the card in the hour', () => {
    expect(rows.some((r) => r.features.cardTxLast1h >= 3)).toBe(true);
    const seen = new Set<string>();
    for (const r of rows) {
      if (!seen.has(r.tx.cardId)) expect(r.features.secondsSincePreviousCardTx).toBeNull();
      seen.add(r.tx.cardId);
    }
  });

  it('refuses a stream out of time order', () => {
    const reversed = [...txs.slice(0, 50)].reverse();
    expect(() => replayFeatures(reversed)).toThrow(/time order/);
  });
});
