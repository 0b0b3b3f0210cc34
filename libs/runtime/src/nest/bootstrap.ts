import 'reflect-metadata';
import { ConsoleLogger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { initTelemetry } from '@spine/telemetry';
import { jsonLog } from './logger.js';

export interface BootstrapOptions {
  service: string;
  defaultPort: number;
  openApi?: { title: string; description: string; version: string; extend?: (document: OpenAPIObject) => void | Promise<void> };
}

/**
 * Starts a Spine service: telemetry first (so every span has a provider), then Nest with shutdown hooks
 * (SIGTERM drains stages), optional OpenAPI at /openapi.json and /docs, bound to 127.0.0.1 unless HOST says otherwise.
 * A drain that exceeds SPINE_SHUTDOWN_TIMEOUT_MS (default 25 s) exits non-zero instead of hanging.
 */
export async function bootstrapService(module: Type<unknown>, options: BootstrapOptions): Promise<INestApplication> {
  const log = jsonLog(options.service);
  routeProcessWarnings(log);
  const telemetry = initTelemetry(options.service);
  // Nest's own log lines as JSON too, like the runtime's: one parseable format per process.
  const logger = new ConsoleLogger(options.service, { json: true, colors: false, logLevels: ['error', 'warn', 'log'] });
  const app = await NestFactory.create<NestExpressApplication>(module, { logger, bodyParser: true });
  app.useBodyParser('json', { limit: process.env.SPINE_HTTP_BODY_LIMIT ?? '5mb' });
  if (options.openApi) {
    const config = new DocumentBuilder()
      .setTitle(options.openApi.title)
      .setDescription(options.openApi.description)
      .setVersion(options.openApi.version)
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'x-api-key')
      .build();
    const document = SwaggerModule.createDocument(app, config);
    await options.openApi.extend?.(document);
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  }
  const shutdownBudget = Number(process.env.SPINE_SHUTDOWN_TIMEOUT_MS ?? 25_000);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log('info', `${signal} received: draining`, { budgetMs: shutdownBudget });
      setTimeout(() => {
        log('error', 'shutdown exceeded its budget; exiting', { budgetMs: shutdownBudget });
        process.exit(1);
      }, shutdownBudget).unref();
      void app
        .close()
        .then(() => telemetry.shutdown())
        .then(
          () => {
            log('info', 'stopped cleanly');
            process.exit(0);
          },
          (error: Error) => {
            log('error', 'shutdown failed', { error: error.message });
            process.exit(1);
          },
        );
    });
  }
  const port = Number(process.env.PORT ?? options.defaultPort);
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(port, host);
  log('info', `${options.service} listening`, { url: `http://${host}:${port}`, pid: process.pid });
  return app;
}

/**
 * Process warnings as JSON log lines. kafkajs 2.2.4 schedules its throttle check with a negative delay,
 * which Node 24 clamps to 1 ms and reports as TimeoutNegativeWarning on every start; that one is dropped.
 */
function routeProcessWarnings(log: ReturnType<typeof jsonLog>): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning') log('warn', warning.message, { warning: warning.name });
  });
}
