import 'reflect-metadata';
import { spinePlatform } from '@spine/platform';
import { bootstrapService } from '@spine/runtime';
import { AppModule } from './app.module.js';

const service = spinePlatform.service('fraud-features');
await bootstrapService(AppModule, { service: service.name, defaultPort: service.port });
