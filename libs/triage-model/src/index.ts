export { listModelVersions, loadTriageModel } from './model-loader.js';
export { INTENTS } from './types.js';
export type {
  CustomerFeatures,
  Intent,
  Priority,
  Sentiment,
  TriageInput,
  TriageModel,
  TriageOutput,
} from './types.js';
