import { Module } from '@nestjs/common';
import { ModelLifecycleModule } from '@spine/model-lifecycle';
import { SpineRuntimeModule } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { InferenceStage } from './inference.stage.js';
import { triageModelsProvider } from './triage-model.provider.js';

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: SERVICE_NAME }), ModelLifecycleModule.forRoot()],
  providers: [triageModelsProvider, InferenceStage],
})
export class AppModule {}
