import 'reflect-metadata';
import { spinePlatform } from '@spine/platform';
import { databaseUrl } from '@spine/postgres';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';

const service = spinePlatform.service('console');
// Fail fast, before connecting to anything, when the database (operator keys, audit log) is not configured.
try {
  databaseUrl(service.name, service.database!);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
await bootstrapService(AppModule, {
  service: service.name,
  defaultPort: service.port,
  openApi: { title: 'Spine console admin API', description: 'Topology, lag, dead letters, models and deliveries for operators (scopes operator:read, operator:act).', version: '1' },
});
