import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { PostgresModule } from '@spine/postgres';
import { DATABASE_PURPOSE, SERVICE_NAME } from './config.js';
import { ResultsController } from './results.controller.js';
import { aiResultStoreProvider } from './ai-result-store.provider.js';
import { SinkStage } from './sink.stage.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME }), PostgresModule.forRoot({ service: SERVICE_NAME, purpose: DATABASE_PURPOSE })],
  controllers: [ResultsController],
  providers: [aiResultStoreProvider, SinkStage],
})
export class AppModule {}
