export { FraudFeaturesStage } from './fraud-features.stage.js';
export { FraudScoringStage, FRAUD_MODEL } from './fraud-scoring.stage.js';
export { cardActivityStoreProvider, fraudModelProvider } from './providers.js';
