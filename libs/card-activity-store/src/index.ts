export { CardActivityStore } from './card-activity-store.js';
export type { CardActivityStoreOptions, CardPayment, PaymentHistory, PriorPayment } from './types.js';
