/** Environment the sink service reads; everything else (Kafka, registry, topics) is the runtime's. */

import { spinePlatform } from '@spine/platform';

/** This service's registry entry: name, port, why it needs PostgreSQL. */
export const SERVICE = spinePlatform.service('sink');
export const SERVICE_NAME = SERVICE.name;
export const DATABASE_PURPOSE = SERVICE.database ?? 'AI results are stored in PostgreSQL';
