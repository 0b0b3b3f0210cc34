import type { PersonalDataDeclaration } from '@spine/postgres';

/** What the feature store holds about a customer: every applied event and the running totals, both by customer_id. */
export const FEATURE_STORE_PERSONAL_DATA: PersonalDataDeclaration = {
  store: 'feature-store',
  description: 'Support-domain customer features: applied message events and per-customer running totals.',
  tables: [
    { table: 'feature_events', match: [{ column: 'customer_id' }] },
    { table: 'customer_features', match: [{ column: 'customer_id' }] },
  ],
};
