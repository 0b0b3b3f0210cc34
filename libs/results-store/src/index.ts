export { ResultsStore } from './results-store.js';
export type { ResultsStoreOptions, TriageResultRow } from './types.js';
