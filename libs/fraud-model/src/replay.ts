import type { TransactionFeatures } from '@spine/schemas';
import { CARD_HISTORY_MS, DAY_MS, parseAmount, transactionFeatures, type PriorPayment } from './features.js';
import type { GeneratedTransaction } from './generator.js';

// The global looked up once: Jest's vm contexts make every global lookup slow (see generator.ts).
const JsDate = Date;

export interface FeatureRow {
  tx: GeneratedTransaction;
  features: TransactionFeatures;
}

/**
 * Features of every payment of a stream, as enrichment computes them online: in time order, each payment sees only
 * the payments before it (its card's last 30 days, its customer's last 24 hours), through transactionFeatures().
 */
export function replayFeatures(transactions: readonly GeneratedTransaction[]): FeatureRow[] {
  const cards = new Map<string, PriorPayment[]>();
  const customers = new Map<string, number[]>();
  const rows: FeatureRow[] = [];
  let last = -Infinity;

  for (const tx of transactions) {
    const t = tx.occurredAt.getTime();
    if (t < last) throw new Error(`replayFeatures needs payments in time order; ${tx.transactionId} is earlier than its predecessor`);
    last = t;

    let card = cards.get(tx.cardId);
    if (card === undefined) {
      card = [];
      cards.set(tx.cardId, card);
    }
    let drop = 0;
    while (drop < card.length && (card[drop] as PriorPayment).occurredAt.getTime() < t - CARD_HISTORY_MS) drop += 1;
    if (drop > 0) card.splice(0, drop);

    let customer = customers.get(tx.customerId);
    if (customer === undefined) {
      customer = [];
      customers.set(tx.customerId, customer);
    }
    drop = 0;
    while (drop < customer.length && (customer[drop] as number) < t - DAY_MS) drop += 1;
    if (drop > 0) customer.splice(0, drop);

    rows.push({ tx, features: transactionFeatures(tx, { cardPayments: card, customerPaymentsLast24h: customer.length }) });

    // A Date of its own, allocated with the entry: history scans stay in cache (replay ~2.5× faster than sharing tx.occurredAt).
    card.push({ amount: parseAmount(tx.amount), merchantId: tx.merchantId, country: tx.country, occurredAt: new JsDate(t) });
    customer.push(t);
  }
  return rows;
}
