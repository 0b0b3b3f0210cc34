import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { JsonBodyLimit } from './json-body-limit.js';

export const SERVICE_NAME = 'ingestion';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME })],
  controllers: [EventsController],
  providers: [EventsService, JsonBodyLimit],
})
export class AppModule {}
