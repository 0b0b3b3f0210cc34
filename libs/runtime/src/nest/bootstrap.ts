import 'reflect-metadata';
import type { Server } from 'node:http';
import { ConsoleLogger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { initTelemetry } from '@spine/telemetry';
import { jsonLog } from './logger.js';
import { keepConnectionsOpen } from './http-keep-alive.js';
import { OPS_PATHS, startOpsServer } from './ops-server.js';
import { StageExplorer } from './stage-explorer.js';

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
  // No body parser in front of the routes: ApiKeyGuard parses JSON bodies itself, after authentication, scopes
  // and rate limits, so a refused request is never parsed (SPINE_HTTP_BODY_LIMIT still applies there).
  const app = await NestFactory.create<NestExpressApplication>(module, { logger, bodyParser: false });
  const opsPort = process.env.SPINE_OPS_PORT?.trim() ? Number(process.env.SPINE_OPS_PORT) : undefined;
  if (opsPort !== undefined) {
    if (!Number.isInteger(opsPort) || opsPort < 1 || opsPort > 65_535) throw new Error(`SPINE_OPS_PORT must be a TCP port, got "${process.env.SPINE_OPS_PORT}"`);
    // Ops endpoints move to their own port: the business port no longer answers them.
    app.use((request: { url: string }, response: { status(code: number): { json(body: unknown): void } }, next: () => void) =>
      OPS_PATHS.test(request.url) ? response.status(404).json({ statusCode: 404, message: `ops endpoints are served on port ${opsPort} (SPINE_OPS_PORT)` }) : next(),
    );
  }
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
  keepConnectionsOpen(app.getHttpServer() as Server);
  await app.listen(port, host);
  log('info', `${options.service} listening`, { url: `http://${host}:${port}`, pid: process.pid });
  // Stages start in the background (readiness tells when they joined); one that cannot start ends the process.
  void app.get(StageExplorer, { strict: false }).started.catch((error: unknown) => {
    log('error', 'a stage could not start: exiting', { error: error instanceof Error ? error.message : String(error) });
    void app.close().finally(() => process.exit(1));
  });
  if (opsPort !== undefined) {
    const opsServer = await startOpsServer(app, opsPort, process.env.SPINE_OPS_HOST ?? host);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => opsServer.close());
    log('info', `${options.service} ops endpoints listening`, { url: `http://${process.env.SPINE_OPS_HOST ?? host}:${opsPort}` });
  }
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

