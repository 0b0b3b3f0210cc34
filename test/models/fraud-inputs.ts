import { randomUUID } from 'node:crypto';
import type { PaymentTransactionEnriched } from '@spine/schemas';
import { generateTransactions, replayFeatures, toPaymentTransactionReceived, type FraudInput } from '@spine/fraud-model';

/**
 * A few hundred real payments with the features enrichment computes (a 40-customer slice of the seeded synthetic
 * data): every fraud of the slice plus an even spread of the rest, so low, middling and high scores all occur.
 */
export function fraudInputs(count = 300): FraudInput[] {
  const rows = replayFeatures(generateTransactions({ seed: 42, customers: 40 }));
  const frauds = rows.filter((r) => r.tx.isFraud);
  const genuine = rows.filter((r) => !r.tx.isFraud);
  const step = Math.max(1, Math.floor(genuine.length / Math.max(1, count - frauds.length)));
  const picked = [...frauds, ...genuine.filter((_, i) => i % step === 0)].slice(0, count);
  return picked.map((r) => ({ transaction: toPaymentTransactionReceived(r.tx), features: r.features }));
}

/**
 * Batches of those payments as enriched records: each record gets a fresh event id and a transaction id naming its
 * batch, so results tell batches apart; batches take a rotating window over the payments, so they cover many cards
 * (and so many buckets of the model router).
 */
export function paymentBatches(label: string, count = 300): (size: number) => PaymentTransactionEnriched[] {
  const inputs = fraudInputs(count);
  let batchNo = 0;
  return (size) => {
    batchNo += 1;
    const start = (batchNo * 37) % inputs.length;
    return [...inputs, ...inputs].slice(start, start + size).map((input, i) => ({
      ...input,
      transaction: { ...input.transaction, transactionId: `${label}b${batchNo}-${i}`, metadata: { ...input.transaction.metadata, eventId: randomUUID() } },
    })) as PaymentTransactionEnriched[];
  };
}
