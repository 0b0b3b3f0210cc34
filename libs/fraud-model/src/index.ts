export { listFraudModelVersions, loadFraudModel, readFraudArtifact } from './model-loader.js';
export { createFraudModel, decide, type FraudInput, type FraudModel, type FraudOutput } from './model.js';
export { transactionFeatures, type FeatureTransaction, type PaymentHistory, type PriorPayment } from './features.js';
export { FEATURE_NAMES, FEATURE_SPEC, featureVector, type VectorTransaction } from './vector.js';
export { MODEL_NAME, type FraudArtifact, type SplitMetrics } from './artifact.js';
export {
  generateTransactions,
  toPaymentTransactionReceived,
  type FraudPattern,
  type GeneratedTransaction,
  type GeneratorOptions,
} from './generator.js';
export { replayFeatures, type FeatureRow } from './replay.js';
