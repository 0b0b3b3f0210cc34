export { FraudFeaturesStage } from './fraud-features.stage.js';
export { FraudScoringStage } from './fraud-scoring.stage.js';
export { fraudModelBinding, type FraudAnswer } from './fraud-model-binding.js';
export { cardActivityStoreProvider } from './providers.js';
