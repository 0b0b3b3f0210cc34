import { Module } from '@nestjs/common';
import { PostgresModule } from '@spine/postgres';
import { SpineRuntimeModule } from '@spine/runtime';
import { DATABASE_PURPOSE, PERSIST_REFERENCES, SERVICE_NAME } from './config.js';
import { driftDetectorProvider } from './drift-detector.provider.js';
import { DriftReports } from './drift-reports.js';
import { ModelDriftStage } from './model-drift.stage.js';
import { ReferenceSaver } from './reference-saver.js';
import { referenceStoreProvider } from './reference-store.provider.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME }), ...(PERSIST_REFERENCES ? [PostgresModule.forRoot({ service: SERVICE_NAME, purpose: DATABASE_PURPOSE })] : [])],
  providers: [referenceStoreProvider, driftDetectorProvider, ReferenceSaver, DriftReports, ModelDriftStage],
})
export class AppModule {}
