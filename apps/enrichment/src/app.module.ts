import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { PostgresModule } from '@spine/postgres';
import { DATABASE_PURPOSE, SERVICE_NAME } from './config.js';
import { EnrichmentStage } from './enrichment.stage.js';
import { featureStoreProvider } from './feature-store.provider.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME }), PostgresModule.forRoot({ service: SERVICE_NAME, purpose: DATABASE_PURPOSE })],
  providers: [featureStoreProvider, EnrichmentStage],
})
export class AppModule {}
