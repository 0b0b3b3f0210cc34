import 'reflect-metadata';
import { driftSettingsFromEnv } from '@spine/drift-detection';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';
import { SERVICE, SERVICE_NAME } from './config.js';

// Fail fast, before connecting to anything, when a SPINE_DRIFT_* setting is wrong.
try {
  driftSettingsFromEnv();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

await bootstrapService(AppModule, { service: SERVICE_NAME, defaultPort: SERVICE.port });
