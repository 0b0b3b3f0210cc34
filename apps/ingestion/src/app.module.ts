import { Module } from '@nestjs/common';
import { spinePlatform } from '@spine/platform';
import { PostgresModule } from '@spine/postgres';
import { SpineRuntimeModule } from '@spine/runtime';
import { AsyncApiController } from './asyncapi.controller.js';
import { DATABASE_PURPOSE, SERVICE_NAME } from './config.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { IdempotentIngest } from './idempotent-ingest.js';

@Module({
  // Publishes to every topic the registry routes events to (and resolves only those).
  imports: [
    SpineRuntimeModule.forRoot({ service: SERVICE_NAME, publishes: [...spinePlatform.ingestRoutes.values()] }),
    PostgresModule.forRoot({ service: SERVICE_NAME, purpose: DATABASE_PURPOSE }),
  ],
  controllers: [EventsController, AsyncApiController],
  providers: [EventsService, IdempotentIngest],
})
export class AppModule {}
