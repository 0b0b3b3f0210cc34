/** The ingestion service's name (logs, metrics, Kafka client id); everything else is configured by the runtime's env. */
import { spinePlatform } from '@spine/platform';

export const SERVICE = spinePlatform.service('ingestion');
export const SERVICE_NAME = SERVICE.name;
export const DEFAULT_PORT = SERVICE.port;
