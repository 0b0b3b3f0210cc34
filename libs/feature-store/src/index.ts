export { FeatureStore } from './feature-store.js';
export type { CustomerFeatures, FeatureStoreOptions, FeatureUpdate } from './types.js';
