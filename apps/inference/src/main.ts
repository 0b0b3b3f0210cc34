import 'reflect-metadata';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';
import { inferenceDelayMs, SERVICE, SERVICE_NAME } from './config.js';

// Fail fast on a malformed SPINE_INFERENCE_DELAY_MS, before connecting to anything.
try {
  inferenceDelayMs();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

await bootstrapService(AppModule, { service: SERVICE_NAME, defaultPort: SERVICE.port });
