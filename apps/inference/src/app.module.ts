import { Module } from '@nestjs/common';
import { SpineRuntimeModule } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { InferenceStage } from './inference.stage.js';
import { triageModelProvider } from './triage-model.provider.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME })],
  providers: [triageModelProvider, InferenceStage],
})
export class AppModule {}
