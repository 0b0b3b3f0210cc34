import 'reflect-metadata';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';
import { databaseUrl } from '@spine/postgres';
import { DATABASE_PURPOSE, DEFAULT_PORT, SERVICE_NAME } from './config.js';
import { addEventSchemas } from './openapi.js';

// Fail fast, before connecting to anything, when the database (API keys, idempotency keys) is not configured.
try {
  databaseUrl(SERVICE_NAME, DATABASE_PURPOSE);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

await bootstrapService(AppModule, {
  service: SERVICE_NAME,
  defaultPort: DEFAULT_PORT,
  openApi: {
    title: 'Spine ingestion',
    description: 'Accepts business events over HTTP and publishes them, Avro-typed, to Kafka (acks=all) before answering.',
    version: '1',
    extend: addEventSchemas,
  },
});
