import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME })],
  controllers: [EventsController],
  providers: [EventsService],
})
export class AppModule {}
