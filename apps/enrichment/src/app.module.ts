import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { PgPoolCloser, pgPoolProvider } from './database.js';
import { EnrichmentStage } from './enrichment.stage.js';
import { featureStoreProvider } from './feature-store.provider.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME })],
  providers: [pgPoolProvider, PgPoolCloser, featureStoreProvider, EnrichmentStage],
})
export class AppModule {}
