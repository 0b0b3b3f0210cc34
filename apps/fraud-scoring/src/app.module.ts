import { Module } from '@nestjs/common';
import { fraudModelProvider, FraudScoringStage } from '@spine/fraud-detection';
import { SpineRuntimeModule } from '@spine/runtime';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: 'fraud-scoring' })],
  providers: [fraudModelProvider, FraudScoringStage],
})
export class AppModule {}
