import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { PostgresModule } from '@spine/postgres';
import { DATABASE_PURPOSE, SERVICE_NAME } from './config.js';
import { CustomersController } from './customers.controller.js';
import { ResultsController } from './results.controller.js';
import { ResultsStreamController } from './results-stream.controller.js';
import { aiResultStoreProvider } from './ai-result-store.provider.js';
import { SinkStage } from './sink.stage.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME }), PostgresModule.forRoot({ service: SERVICE_NAME, purpose: DATABASE_PURPOSE })],
  controllers: [ResultsStreamController, ResultsController, CustomersController], // stream first: /v1/results/stream before /v1/results/:eventId
  providers: [aiResultStoreProvider, SinkStage],
})
export class AppModule {}
