import { createServer, type Server } from 'node:http';
import { HttpException, type INestApplication } from '@nestjs/common';
import { keepConnectionsOpen } from './http-keep-alive.js';
import { OpsController } from './ops.controller.js';

export const OPS_PATHS = /^\/(health\/live|health\/ready|metrics)\/?(\?.*)?$/;

/**
 * The ops endpoints (/health/live, /health/ready, /metrics) on a port of their own (SPINE_OPS_PORT), so the
 * business port can face clients while probes and Prometheus stay on a private network. Same answers as on
 * the main port (the same OpsController), plain node:http, no authentication (bind it privately).
 */
export async function startOpsServer(app: INestApplication, port: number, host: string): Promise<Server> {
  const ops = app.get(OpsController);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!.replace(/\/$/, '');
    const reply = (status: number, body: unknown, type = 'application/json; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, { statusCode: 405, message: 'only GET' });
    void (async () => {
      try {
        if (path === '/health/live') return reply(200, ops.live());
        if (path === '/health/ready') return reply(200, ops.ready());
        if (path === '/metrics') return reply(200, await ops.metrics(undefined), 'text/plain; version=0.0.4');
        return reply(404, { statusCode: 404, message: 'ops port: /health/live, /health/ready, /metrics' });
      } catch (error) {
        if (error instanceof HttpException) return reply(error.getStatus(), error.getResponse());
        return reply(500, { statusCode: 500, message: (error as Error).message });
      }
    })();
  });
  keepConnectionsOpen(server);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  return server;
}
