import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SECURITY_HEADERS } from './html.js';

const require = createRequire(import.meta.url);
const PUBLIC = join(import.meta.dirname, '..', '..', 'public');
/** The libraries the page uses, resolved from node_modules (no CDN, no build step). */
// Both packages' entry points sit in their dist/ folder; their "exports" do not list the ESM builds, so go from there.
const distOf = (name: string) => dirname(require.resolve(name));
const VENDOR: Record<string, string> = {
  'uPlot.esm.js': join(distOf('uplot'), 'uPlot.esm.js'),
  'uPlot.min.css': join(distOf('uplot'), 'uPlot.min.css'),
  'dagre.esm.js': join(distOf('@dagrejs/dagre'), 'dagre.esm.js'),
};
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

/** The page's code and styles (apps/console/public) and vendored libraries; static, no data, no secret. */
@ApiExcludeController()
@Controller('console')
export class AssetsController {
  private readonly cache = new Map<string, Buffer>();

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() response: ServerResponse): Promise<void> {
    if (!/^[a-z0-9-]+\.(js|css|svg)$/.test(file)) return notFound(response);
    await this.send(response, join(PUBLIC, file), file);
  }

  @Get('vendor/:file')
  async vendor(@Param('file') file: string, @Res() response: ServerResponse): Promise<void> {
    const path = VENDOR[file];
    if (!path) return notFound(response);
    await this.send(response, path, file);
  }

  private async send(response: ServerResponse, path: string, file: string): Promise<void> {
    let body = this.cache.get(path);
    if (!body) {
      body = await readFile(path).catch(() => undefined);
      if (!body) return notFound(response);
      if (process.env.NODE_ENV === 'production') this.cache.set(path, body);
    }
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': TYPES[file.split('.').pop()!] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    response.end(body);
  }
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' });
  response.end('not found');
}
