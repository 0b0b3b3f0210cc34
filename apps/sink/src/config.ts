/** Environment the sink service reads; everything else (Kafka, registry, topics) is the runtime's. */

export const SERVICE_NAME = 'sink';

/** Why this service needs PostgreSQL (used in the error when DATABASE_URL is missing). */
export const DATABASE_PURPOSE = 'Triage results are stored in PostgreSQL';
