import 'reflect-metadata';
import { spinePlatform } from '@spine/platform';
import { requireDatabaseUrl } from '@spine/postgres';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';

const service = spinePlatform.service('console');
// Fail fast, before connecting to anything, when the database is not configured.
requireDatabaseUrl(service);
await bootstrapService(AppModule, {
  service: service.name,
  defaultPort: service.port,
  openApi: { title: 'Spine console admin API', description: 'Topology, lag, dead letters, models and deliveries for operators (scopes operator:read, operator:act).', version: '1' },
});
