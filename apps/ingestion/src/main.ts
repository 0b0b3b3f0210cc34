import 'reflect-metadata';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';
import { DEFAULT_PORT, SERVICE_NAME } from './config.js';
import { addEventSchemas } from './openapi.js';

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
