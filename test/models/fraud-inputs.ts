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
