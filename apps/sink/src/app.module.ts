import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { PgPoolCloser, pgPoolProvider } from './database.js';
import { ResultsController } from './results.controller.js';
import { resultsStoreProvider } from './results-store.provider.js';
import { SinkStage } from './sink.stage.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME })],
  controllers: [ResultsController],
  providers: [pgPoolProvider, PgPoolCloser, resultsStoreProvider, SinkStage],
})
export class AppModule {}
