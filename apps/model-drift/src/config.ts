/** Environment the model-drift service reads; everything else (Kafka, registry, topics) is the runtime's. */

import { spinePlatform } from '@spine/platform';

/** This service's registry entry: name and port. */
export const SERVICE = spinePlatform.service('model-drift');
export const SERVICE_NAME = SERVICE.name;
export const DATABASE_PURPOSE = SERVICE.database ?? 'Drift reference windows are kept in PostgreSQL so a restart does not re-learn them';

/** Reference windows are persisted when DATABASE_URL is set; without it they live in memory only. */
export const PERSIST_REFERENCES = Boolean(process.env.DATABASE_URL?.trim());
