import 'reflect-metadata';
import { bootstrapService } from '@spine/runtime';
import { AppModule, SERVICE_NAME } from './app.module.js';

await bootstrapService(AppModule, {
  service: SERVICE_NAME,
  defaultPort: 3000,
  openApi: {
    title: 'Spine ingestion',
    description: 'Accepts business events over HTTP and publishes them, Avro-typed, to Kafka (acks=all) before answering.',
    version: '1',
  },
});
