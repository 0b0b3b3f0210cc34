import 'reflect-metadata';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';
import { databaseUrl } from '@spine/postgres';
import { DATABASE_PURPOSE, SERVICE, SERVICE_NAME } from './config.js';

// Fail fast, before connecting to anything, when the database is not configured.
try {
  databaseUrl(SERVICE_NAME, DATABASE_PURPOSE);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

await bootstrapService(AppModule, { service: SERVICE_NAME, defaultPort: SERVICE.port });
