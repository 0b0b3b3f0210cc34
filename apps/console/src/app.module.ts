import { Module } from '@nestjs/common';
import { Authenticator, numberFromEnv } from '@spine/edge';
import { spinePlatform } from '@spine/platform';
import type pg from 'pg';
import { databaseSchema, PG_POOL, PostgresModule } from '@spine/postgres';
import { SpineRuntimeModule } from '@spine/runtime';
import { DeadLettersController } from './api/dead-letters.controller.js';
import { DeliveriesController } from './api/deliveries.controller.js';
import { EventsController } from './api/events.controller.js';
import { SessionController } from './api/session.controller.js';
import { TopologyController } from './api/topology.controller.js';
import { ConsoleAudit } from './audit.js';
import { ConsoleAuth } from './auth/console-auth.js';
import { ConsoleAuthGuard } from './auth/console-auth.guard.js';
import { SessionStore } from './auth/session-store.js';
import { DeliveriesService } from './live/deliveries.service.js';
import { LiveFeed } from './live/live-feed.js';
import { modelsModule } from './models/models.module.js';
import { ConsoleOperations } from './operations.service.js';
import { AssetsController } from './page/assets.controller.js';
import { PageController } from './page/page.controller.js';

const service = spinePlatform.service('console');

@Module({
  imports: [SpineRuntimeModule.forRoot({ service: service.name }), PostgresModule.forRoot({ service: service.name, purpose: service.database! })],
  controllers: [PageController, AssetsController, TopologyController, DeadLettersController, DeliveriesController, EventsController, SessionController, ...modelsModule.controllers],
  providers: [
    {
      provide: ConsoleAuth,
      inject: [PG_POOL],
      useFactory: async (pool: pg.Pool) => {
        const sessions = new SessionStore(pool, databaseSchema(), numberFromEnv(process.env, 'SPINE_CONSOLE_SESSION_TTL_MS', 8 * 3_600_000));
        await sessions.migrate();
        return new ConsoleAuth(Authenticator.fromEnv(service.name), sessions);
      },
    },
    ConsoleAuthGuard,
    ConsoleAudit,
    ConsoleOperations,
    LiveFeed,
    DeliveriesService,
    ...modelsModule.providers,
  ],
})
export class AppModule {}
