/** Environment the enrichment service reads; everything else (Kafka, registry, topics) is the runtime's. */

export const SERVICE_NAME = 'enrichment';

/** Why this service needs PostgreSQL (used in the error when DATABASE_URL is missing). */
export const DATABASE_PURPOSE = 'The feature store lives in PostgreSQL';
