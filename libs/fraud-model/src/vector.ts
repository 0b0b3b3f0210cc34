import type { MerchantCategory, PaymentChannel, TransactionFeatures } from '@spine/schemas';
import { parseAmount } from './features.js';

// Math's functions as module constants: hot loops here would otherwise look the global up on every call, which is
// slow where globals are sandboxed (Jest runs tests in vm contexts: ~100× slower per lookup).
const { log, log1p, max } = Math;

/** The transaction fields the model reads beside its TransactionFeatures. */
export interface VectorTransaction {
  amount: string;
  merchantCategory: MerchantCategory;
  channel: PaymentChannel;
  occurredAt: Date;
}

// Kept here rather than imported as a value from @spine/schemas: the order of the one-hot columns is part of the
// model's contract and must not move if the schema's enum gains a symbol (a new symbol maps to OTHER's column).
const CATEGORY_COLUMNS: readonly MerchantCategory[] = [
  'GROCERY',
  'RESTAURANT',
  'FUEL',
  'TRAVEL',
  'ELECTRONICS',
  'FASHION',
  'DIGITAL_GOODS',
  'GAMBLING',
  'OTHER',
];

/** Prefix of the merchant-category one-hot columns, e.g. "merchantCategory=TRAVEL". */
export const CATEGORY_PREFIX = 'merchantCategory=';

/**
 * Columns of the model's input, in order, with how each is computed from TransactionFeatures (f) and the
 * transaction (tx). `featureVector` implements exactly this table; an exporter (ONNX, SQL) reproduces it.
 */
export const FEATURE_SPEC: ReadonlyArray<{ name: string; formula: string }> = [
  { name: 'amount', formula: 'ln(1 + amount)' },
  { name: 'amountAboveCardAvg', formula: 'max(0, ln(f.amountToCardAvg))' },
  { name: 'amountBelowCardAvg', formula: 'max(0, -ln(max(f.amountToCardAvg, 1e-6)))' },
  { name: 'cardTxLast1h', formula: 'ln(1 + max(0, f.cardTxLast1h - 1))' },
  { name: 'cardTxLast24h', formula: 'ln(1 + max(0, f.cardTxLast24h - 1))' },
  { name: 'cardAmountLast24h', formula: 'ln(1 + max(0, f.cardAmountLast24h - amount))' },
  { name: 'cardDistinctMerchants24h', formula: 'max(0, f.cardDistinctMerchants24h - 1)' },
  { name: 'cardDistinctCountries24h', formula: 'max(0, f.cardDistinctCountries24h - 1)' },
  { name: 'newMerchantForCard', formula: 'f.newMerchantForCard ? 1 : 0' },
  { name: 'newCountryForCard', formula: 'f.newCountryForCard ? 1 : 0' },
  { name: 'customerTxLast24h', formula: 'ln(1 + max(0, f.customerTxLast24h - 1))' },
  { name: 'secondsSincePreviousCardTx', formula: 'ln(1 + (f.secondsSincePreviousCardTx ?? 2592000))' },
  { name: 'firstCardPayment', formula: 'f.secondsSincePreviousCardTx === null ? 1 : 0' },
  { name: 'channelOnline', formula: "tx.channel === 'ONLINE' ? 1 : 0" },
  { name: 'nightTime', formula: 'UTC hour of tx.occurredAt in 0..5 ? 1 : 0' },
  ...CATEGORY_COLUMNS.map((c) => ({ name: `${CATEGORY_PREFIX}${c}`, formula: `tx.merchantCategory === '${c}' ? 1 : 0` })),
];

export const FEATURE_NAMES: readonly string[] = FEATURE_SPEC.map((s) => s.name);

/** Index of the payment's category column (unknown categories count as OTHER). */
export function categoryColumn(category: string): number {
  const i = CATEGORY_COLUMNS.indexOf(category as MerchantCategory);
  return FEATURE_NAMES.length - CATEGORY_COLUMNS.length + (i >= 0 ? i : CATEGORY_COLUMNS.length - 1);
}

const THIRTY_DAYS_S = 30 * 86_400;

/** The model's raw (unstandardised) input for one payment, in FEATURE_NAMES order. Pure. */
export function featureVector(f: TransactionFeatures, tx: VectorTransaction): number[] {
  const amount = parseAmount(tx.amount);
  const hour = tx.occurredAt.getUTCHours();
  const x = [
    log1p(max(0, amount)),
    max(0, log(max(f.amountToCardAvg, 1e-6))),
    max(0, -log(max(f.amountToCardAvg, 1e-6))),
    log1p(max(0, f.cardTxLast1h - 1)),
    log1p(max(0, f.cardTxLast24h - 1)),
    log1p(max(0, f.cardAmountLast24h - amount)),
    max(0, f.cardDistinctMerchants24h - 1),
    max(0, f.cardDistinctCountries24h - 1),
    f.newMerchantForCard ? 1 : 0,
    f.newCountryForCard ? 1 : 0,
    log1p(max(0, f.customerTxLast24h - 1)),
    log1p(max(0, f.secondsSincePreviousCardTx ?? THIRTY_DAYS_S)),
    f.secondsSincePreviousCardTx === null ? 1 : 0,
    tx.channel === 'ONLINE' ? 1 : 0,
    hour < 6 ? 1 : 0,
  ];
  for (let i = 0; i < CATEGORY_COLUMNS.length; i += 1) x.push(0);
  x[categoryColumn(tx.merchantCategory)] = 1;
  return x;
}
