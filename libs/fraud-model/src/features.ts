import type { TransactionFeatures } from '@spine/schemas';

// Math's functions as module constants: hot loops here would otherwise look the global up on every call, which is
// slow where globals are sandboxed (Jest runs tests in vm contexts: ~100× slower per lookup).
const { floor, max, round } = Math;
const { isNaN } = Number;
const toNumber = Number;
const NEGATIVE_INFINITY = -Infinity;

/** One earlier payment of the card, as the feature function needs it. */
export interface PriorPayment {
  amount: number;
  merchantId: string;
  country: string;
  occurredAt: Date;
}

export interface PaymentHistory {
  /** The card's earlier payments (this one excluded) in the 30 days before the payment; others are ignored. */
  cardPayments: readonly PriorPayment[];
  /** The customer's earlier payments, all cards, in the 24 hours before the payment, this one excluded. */
  customerPaymentsLast24h: number;
}

export interface FeatureTransaction {
  /** Decimal string, e.g. "129.90". */
  amount: string;
  merchantId: string;
  country: string;
  occurredAt: Date;
}

const SECOND_MS = 1_000;
const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const CARD_HISTORY_MS = 30 * DAY_MS;

const DECIMAL = /^-?\d{1,10}(\.\d{1,2})?$/;

/** The decimal amount as a number; refuses anything that is not a plain decimal (no exponent, no spaces). */
export function parseAmount(amount: string): number {
  if (!DECIMAL.test(amount)) throw new Error(`amount must be a decimal string like "129.90", got ${JSON.stringify(amount)}`);
  return toNumber(amount);
}

/** Sums of two-place decimals, kept at cents (a float sum of 0.10s drifts). */
function roundCents(value: number): number {
  return round(value * 100) / 100;
}

/**
 * TransactionFeatures of a payment, as schemas/payment-transaction-enriched.avsc defines them. Pure: the same in
 * enrichment, serving and training (training replays the generated stream through this function).
 *
 * Windows are closed: an earlier payment exactly 1 h (24 h, 30 d) before counts in the 1 h (24 h, 30 d) window.
 * Entries of `cardPayments` after the payment or more than 30 days before it are ignored, so callers may pass a
 * slightly larger history. secondsSincePreviousCardTx only sees those 30 days: null when the card has no payment in
 * them (its first payment, or a card unused for a month).
 */
export function transactionFeatures(tx: FeatureTransaction, history: PaymentHistory): TransactionFeatures {
  const amount = parseAmount(tx.amount);
  const t = tx.occurredAt.getTime();
  if (isNaN(t)) throw new Error('occurredAt is not a valid date');
  const from30d = t - CARD_HISTORY_MS;
  const from24h = t - DAY_MS;
  const from1h = t - HOUR_MS;

  let count30d = 0;
  let sum30d = 0;
  let count24h = 0;
  let amount24h = amount;
  let count1h = 0;
  let previous = NEGATIVE_INFINITY;
  let seenMerchant = false;
  let seenCountry = false;
  // A card has a handful of payments a day: arrays beat Sets here (this runs for every payment).
  const merchants24h: string[] = [tx.merchantId];
  const countries24h: string[] = [tx.country];

  for (const p of history.cardPayments) {
    const pt = p.occurredAt.getTime();
    if (!(pt >= from30d && pt <= t)) continue;
    count30d += 1;
    sum30d += p.amount;
    if (pt > previous) previous = pt;
    if (p.merchantId === tx.merchantId) seenMerchant = true;
    if (p.country === tx.country) seenCountry = true;
    if (pt >= from24h) {
      count24h += 1;
      amount24h += p.amount;
      if (!merchants24h.includes(p.merchantId)) merchants24h.push(p.merchantId);
      if (!countries24h.includes(p.country)) countries24h.push(p.country);
      if (pt >= from1h) count1h += 1;
    }
  }

  const cardAvgAmount30d = count30d > 0 ? sum30d / count30d : 0;
  return {
    cardTxLast1h: count1h + 1,
    cardTxLast24h: count24h + 1,
    cardAmountLast24h: roundCents(amount24h),
    cardAvgAmount30d,
    amountToCardAvg: cardAvgAmount30d > 0 ? amount / cardAvgAmount30d : 1,
    cardDistinctMerchants24h: merchants24h.length,
    cardDistinctCountries24h: countries24h.length,
    newMerchantForCard: !seenMerchant,
    newCountryForCard: !seenCountry,
    customerTxLast24h: max(0, history.customerPaymentsLast24h) + 1,
    secondsSincePreviousCardTx: count30d > 0 ? floor((t - previous) / SECOND_MS) : null,
  };
}
