import { Module } from '@nestjs/common';
import { spinePlatform } from '@spine/platform';
import { PostgresModule } from '@spine/postgres';
import { SpineRuntimeModule } from '@spine/runtime';
import { webhooksProviders } from '@spine/webhooks';
import { SubscriptionsController } from './subscriptions.controller.js';

const service = spinePlatform.service('webhooks');

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: service.name }), PostgresModule.forRoot({ service: service.name, purpose: service.database! })],
  controllers: [SubscriptionsController],
  providers: webhooksProviders,
})
export class AppModule {}
