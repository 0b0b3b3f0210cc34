import { transactionFeatures, type PriorPayment } from './features.js';

const T = Date.parse('2026-10-20T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function prior(msBefore: number, amount: number, merchantId = 'mch-a', country = 'DE'): PriorPayment {
  return { amount, merchantId, country, occurredAt: new Date(T - msBefore) };
}

const tx = (overrides: Partial<{ amount: string; merchantId: string; country: string; occurredAt: Date }> = {}) => ({
  amount: '50.00',
  merchantId: 'mch-a',
  country: 'DE',
  occurredAt: new Date(T),
  ...overrides,
});

describe('transactionFeatures', () => {
  it('describes a card first payment: counts of one, no average, everything new, no previous payment', () => {
    expect(transactionFeatures(tx({ amount: '129.90' }), { cardPayments: [], customerPaymentsLast24h: 0 })).toEqual({
      cardTxLast1h: 1,
      cardTxLast24h: 1,
      cardAmountLast24h: 129.9,
      cardAvgAmount30d: 0,
      amountToCardAvg: 1,
      cardDistinctMerchants24h: 1,
      cardDistinctCountries24h: 1,
      newMerchantForCard: true,
      newCountryForCard: true,
      customerTxLast24h: 1,
      secondsSincePreviousCardTx: null,
    });
  });

  it('counts a burst in the 1 h window and the whole day in the 24 h window, this payment included', () => {
    const history = [
      prior(25 * HOUR, 5), // outside 24 h, inside 30 d
      prior(23 * HOUR, 6),
      prior(2 * HOUR, 7),
      prior(HOUR, 8), // exactly 1 h before: windows are closed
      prior(59 * MIN, 9),
      prior(10 * MIN, 10),
    ];
    const f = transactionFeatures(tx({ amount: '1.00' }), { cardPayments: history, customerPaymentsLast24h: 0 });
    expect(f.cardTxLast1h).toBe(4);
    expect(f.cardTxLast24h).toBe(6);
    expect(f.cardAmountLast24h).toBe(41); // 6 + 7 + 8 + 9 + 10 + 1
    expect(f.secondsSincePreviousCardTx).toBe(600);
  });

  it('flags a new merchant and a new country against the 30 days of the card only', () => {
    const history = [prior(3 * DAY, 20, 'mch-a', 'DE'), prior(31 * DAY, 20, 'mch-b', 'FR')];
    const known = transactionFeatures(tx({ merchantId: 'mch-a', country: 'DE' }), { cardPayments: history, customerPaymentsLast24h: 0 });
    expect(known.newMerchantForCard).toBe(false);
    expect(known.newCountryForCard).toBe(false);
    // mch-b / FR were used 31 days ago: outside the window, so new again.
    const stale = transactionFeatures(tx({ merchantId: 'mch-b', country: 'FR' }), { cardPayments: history, customerPaymentsLast24h: 0 });
    expect(stale.newMerchantForCard).toBe(true);
    expect(stale.newCountryForCard).toBe(true);
    const sameCountry = transactionFeatures(tx({ merchantId: 'mch-z', country: 'DE' }), { cardPayments: history, customerPaymentsLast24h: 0 });
    expect(sameCountry.newMerchantForCard).toBe(true);
    expect(sameCountry.newCountryForCard).toBe(false);
  });

  it('counts distinct merchants and countries of the last 24 h, this payment included', () => {
    const history = [
      prior(30 * HOUR, 10, 'mch-old', 'ES'), // older than 24 h: not counted
      prior(5 * HOUR, 10, 'mch-a', 'DE'),
      prior(4 * HOUR, 10, 'mch-a', 'DE'),
      prior(3 * HOUR, 10, 'mch-b', 'NL'),
    ];
    const f = transactionFeatures(tx({ merchantId: 'mch-c', country: 'DE' }), { cardPayments: history, customerPaymentsLast24h: 0 });
    expect(f.cardDistinctMerchants24h).toBe(3); // a, b, c
    expect(f.cardDistinctCountries24h).toBe(2); // DE, NL
    const g = transactionFeatures(tx({ merchantId: 'mch-a', country: 'DE' }), { cardPayments: history.slice(1, 3), customerPaymentsLast24h: 0 });
    expect(g.cardDistinctMerchants24h).toBe(1);
    expect(g.cardDistinctCountries24h).toBe(1);
  });

  it('ignores entries outside [t − 30 d, t]: older ones and later ones', () => {
    const inside = [prior(10 * DAY, 40), prior(DAY + MIN, 60)];
    const outside = [prior(30 * DAY + 1, 1000, 'mch-x', 'US'), prior(-MIN, 1000, 'mch-y', 'US')];
    const expected = transactionFeatures(tx(), { cardPayments: inside, customerPaymentsLast24h: 2 });
    const actual = transactionFeatures(tx(), { cardPayments: [outside[0]!, ...inside, outside[1]!], customerPaymentsLast24h: 2 });
    expect(actual).toEqual(expected);
    expect(actual.cardAvgAmount30d).toBe(50);
    expect(actual.secondsSincePreviousCardTx).toBe(24 * 3600 + 60);
    // Exactly 30 days before is still inside (closed window).
    const edge = transactionFeatures(tx(), { cardPayments: [prior(30 * DAY, 10, 'mch-e', 'IT')], customerPaymentsLast24h: 0 });
    expect(edge.cardAvgAmount30d).toBe(10);
    expect(edge.newCountryForCard).toBe(true);
  });

  it('compares the amount with the mean of the earlier 30-day payments (this one excluded)', () => {
    const history = [prior(20 * DAY, 10), prior(10 * DAY, 20), prior(2 * DAY, 30)];
    const f = transactionFeatures(tx({ amount: '50.00' }), { cardPayments: history, customerPaymentsLast24h: 0 });
    expect(f.cardAvgAmount30d).toBe(20);
    expect(f.amountToCardAvg).toBe(2.5);
    expect(f.cardAmountLast24h).toBe(50); // nothing else in 24 h
    const small = transactionFeatures(tx({ amount: '2.00' }), { cardPayments: history, customerPaymentsLast24h: 0 });
    expect(small.amountToCardAvg).toBe(0.1);
  });

  it('keeps sums of decimal amounts at cents', () => {
    const f = transactionFeatures(tx({ amount: '0.10' }), { cardPayments: [prior(MIN, 0.2), prior(2 * MIN, 0.1)], customerPaymentsLast24h: 0 });
    expect(f.cardAmountLast24h).toBe(0.4);
  });

  it("counts the customer's payments in 24 h across cards, this one included", () => {
    expect(transactionFeatures(tx(), { cardPayments: [], customerPaymentsLast24h: 4 }).customerTxLast24h).toBe(5);
  });

  it('rounds the seconds since the previous payment down and uses the latest one whatever the order', () => {
    const f = transactionFeatures(tx(), { cardPayments: [prior(1500, 1), prior(HOUR, 1)], customerPaymentsLast24h: 0 });
    expect(f.secondsSincePreviousCardTx).toBe(1);
  });

  it('refuses amounts that are not decimal strings', () => {
    for (const amount of ['', '12,50', '1e3', ' 5', 'abc', '1.234']) {
      expect(() => transactionFeatures(tx({ amount }), { cardPayments: [], customerPaymentsLast24h: 0 })).toThrow(/decimal string/);
    }
  });
});
