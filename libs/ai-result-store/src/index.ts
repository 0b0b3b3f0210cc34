export { AiResultStore } from './ai-result-store.js';
export type { AiResultRow, AiResultStoreOptions } from './types.js';
export { toResultJson } from './result-json.js';
export { AiResultFeed, type StreamPosition, type StreamFilter, type StreamedResult } from './result-feed.js';
export { RESULTS_CHANNEL } from './stream-columns.js';
