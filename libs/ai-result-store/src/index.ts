export { AiResultStore } from './ai-result-store.js';
export type { AiResultRow, AiResultStoreOptions } from './types.js';
