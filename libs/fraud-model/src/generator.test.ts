import { FRAUD_PATTERNS, generateTransactions, toPaymentTransactionReceived, type GeneratedTransaction } from './generator.js';
import { Random } from './random.js';

const SMALL = { customers: 150 };

function counts(txs: readonly GeneratedTransaction[]) {
  return {
    transactions: txs.length,
    frauds: txs.filter((t) => t.isFraud).length,
    cards: new Set(txs.map((t) => t.cardId)).size,
    byPattern: FRAUD_PATTERNS.map((p) => txs.filter((t) => t.fraudPattern === p).length),
  };
}

describe('Random (mulberry32)', () => {
  it('repeats its sequence for a seed and differs for another', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('generateTransactions', () => {
  const first = generateTransactions({ seed: 42, ...SMALL });
  const again = generateTransactions({ seed: 42, ...SMALL });
  const other = generateTransactions({ seed: 7, ...SMALL });

  it('gives the same records and counts for the same seed', () => {
    expect(again.slice(0, 500)).toEqual(first.slice(0, 500));
    expect(counts(again)).toEqual(counts(first));
    expect(JSON.stringify(again)).toBe(JSON.stringify(first)); // byte-identical
  });

  it('gives other data for another seed', () => {
    expect(other.slice(0, 50)).not.toEqual(first.slice(0, 50));
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(first));
  });

  it('draws each customer from its own stream: a larger run starts with the same customers', () => {
    const strip = (txs: readonly GeneratedTransaction[]) =>
      txs.filter((t) => t.customerId <= 'cust-000040').map(({ transactionId: _id, ...rest }) => rest);
    const smaller = generateTransactions({ seed: 42, customers: 40 });
    expect(strip(first)).toEqual(strip(smaller));
  });

  it('writes well-formed payments in time order with unique ids', () => {
    const start = Date.parse('2026-09-01T00:00:00.000Z');
    const end = start + 60 * 86_400_000;
    let previous = start;
    const malformed: GeneratedTransaction[] = [];
    for (const t of first) {
      const ms = t.occurredAt.getTime();
      const ok =
        /^\d{1,10}\.\d{2}$/.test(t.amount) &&
        Number(t.amount) > 0 &&
        /^[A-Z]{3}$/.test(t.currency) &&
        /^[A-Z]{2}$/.test(t.country) &&
        ms >= previous &&
        ms < end &&
        t.isFraud === (t.fraudPattern !== null);
      if (!ok) malformed.push(t);
      previous = ms;
    }
    expect(malformed).toEqual([]);
    expect(new Set(first.map((t) => t.transactionId)).size).toBe(first.length);
    // About 1.36 cards per customer; about one payment per card and day.
    const c = counts(first);
    expect(c.cards / 150).toBeGreaterThan(1.2);
    expect(c.cards / 150).toBeLessThan(1.55);
    expect(c.transactions / c.cards / 60).toBeGreaterThan(0.6);
    expect(c.transactions / c.cards / 60).toBeLessThan(2);
  });

  it('produces each fraud pattern with its signature, among genuine payments that look alike', () => {
    const all = [...first, ...other];
    const home = new Map<string, string>();
    const byCountry = new Map<string, Map<string, number>>();
    for (const t of all) {
      if (t.isFraud || t.channel !== 'CARD_PRESENT') continue;
      const m = byCountry.get(t.cardId) ?? new Map<string, number>();
      m.set(t.country, (m.get(t.country) ?? 0) + 1);
      byCountry.set(t.cardId, m);
    }
    for (const [card, m] of byCountry) home.set(card, [...m].sort((a, b) => b[1] - a[1])[0]![0]);

    const testing = all.filter((t) => t.fraudPattern === 'CARD_TESTING');
    const small = testing.filter((t) => Number(t.amount) < 10);
    expect(small.length / testing.length).toBeGreaterThan(0.6);
    expect(small.every((t) => t.channel === 'ONLINE' && ['DIGITAL_GOODS', 'OTHER'].includes(t.merchantCategory))).toBe(true);

    const takeover = all.filter((t) => t.fraudPattern === 'ACCOUNT_TAKEOVER');
    expect(takeover.every((t) => t.channel === 'ONLINE' && ['ELECTRONICS', 'TRAVEL', 'GAMBLING', 'FASHION'].includes(t.merchantCategory))).toBe(true);
    expect(median(takeover.map((t) => Number(t.amount)))).toBeGreaterThan(150);

    const skimming = all.filter((t) => t.fraudPattern === 'SKIMMING');
    expect(skimming.every((t) => t.channel === 'CARD_PRESENT' && t.country !== home.get(t.cardId))).toBe(true);

    // Overlap: genuine payments abroad in shops, genuine small online bursts and genuine big purchases exist.
    const genuine = all.filter((t) => !t.isFraud);
    expect(genuine.filter((t) => t.channel === 'CARD_PRESENT' && t.country !== home.get(t.cardId)).length).toBeGreaterThan(100);
    expect(genuine.filter((t) => t.channel === 'ONLINE' && t.merchantCategory === 'DIGITAL_GOODS' && Number(t.amount) < 3).length).toBeGreaterThan(100);
    expect(genuine.filter((t) => ['ELECTRONICS', 'TRAVEL'].includes(t.merchantCategory) && Number(t.amount) > 500).length).toBeGreaterThan(20);
  });

  it('maps a payment to the gateway event, without the label', () => {
    const t = first.find((x) => x.isFraud)!;
    const event = toPaymentTransactionReceived(t);
    expect(event.metadata.occurredAt).toEqual(t.occurredAt);
    expect(event).toMatchObject({ transactionId: t.transactionId, amount: t.amount, channel: t.channel, merchantCategory: t.merchantCategory });
    expect(event).not.toHaveProperty('isFraud');
    expect(event).not.toHaveProperty('fraudPattern');
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
