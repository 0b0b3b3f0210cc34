export { FraudFeaturesStage } from './fraud-features.stage.js';
export { FraudScoringStage, FRAUD_MODEL } from './fraud-scoring.stage.js';
export { fraudModelBinding, type FraudAnswer } from './fraud-model-binding.js';
export { cardActivityStoreProvider, fraudModelProvider } from './providers.js';
