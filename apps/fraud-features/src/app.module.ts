import { Module } from '@nestjs/common';
import { cardActivityStoreProvider, FraudFeaturesStage } from '@spine/fraud-detection';
import { spinePlatform } from '@spine/platform';
import { PostgresModule } from '@spine/postgres';
import { SpineRuntimeModule } from '@spine/runtime';

const service = spinePlatform.service('fraud-features');

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: service.name }), PostgresModule.forRoot({ service: service.name, purpose: service.database! })],
  providers: [cardActivityStoreProvider, FraudFeaturesStage],
})
export class AppModule {}
