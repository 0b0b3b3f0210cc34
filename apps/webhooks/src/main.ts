import 'reflect-metadata';
import { spinePlatform } from '@spine/platform';
import { requireDatabaseUrl } from '@spine/postgres';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';

const service = spinePlatform.service('webhooks');
// Fail fast, before connecting to anything, when the database is not configured.
requireDatabaseUrl(service);
await bootstrapService(AppModule, {
  service: service.name,
  defaultPort: service.port,
  openApi: { title: 'Spine webhooks', description: 'Webhook subscriptions: every AI result they match is POSTed to them, signed (Standard Webhooks).', version: '1' },
});
