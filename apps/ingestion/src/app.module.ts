import { Module } from '@nestjs/common';
import { spinePlatform } from '@spine/platform';
import { SpineRuntimeModule } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';

@Module({
  // Publishes to every topic the registry routes events to (and resolves only those).
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME, publishes: [...spinePlatform.ingestRoutes.values()] })],
  controllers: [EventsController],
  providers: [EventsService],
})
export class AppModule {}
