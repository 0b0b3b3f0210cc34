import { Module } from '@nestjs/common';
import { FraudScoringStage } from '@spine/fraud-detection';
import { ModelLifecycleModule } from '@spine/model-lifecycle';
import { SpineRuntimeModule } from '@spine/runtime';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: 'fraud-scoring' }), ModelLifecycleModule.forRoot()],
  providers: [FraudScoringStage],
})
export class AppModule {}
