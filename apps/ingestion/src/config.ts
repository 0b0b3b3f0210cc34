/** The ingestion service's name (logs, metrics, Kafka client id); everything else is configured by the runtime's env. */
export const SERVICE_NAME = 'ingestion';
export const DEFAULT_PORT = 3000;
