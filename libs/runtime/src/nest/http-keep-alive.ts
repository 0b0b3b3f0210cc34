import type { Server } from 'node:http';

/**
 * Idle keep-alive connections stay open 65 s (SPINE_HTTP_KEEP_ALIVE_MS), longer than the clients and proxies in
 * front keep them (load balancers commonly 60 s, undici 4 s): whoever closes an idle connection is then the
 * client, never the server at the moment a client reuses it (Node's 5 s default loses such requests with
 * "other side closed" / 502 under load).
 */
export function keepConnectionsOpen(server: Server, env: NodeJS.ProcessEnv = process.env): void {
  const raw = env.SPINE_HTTP_KEEP_ALIVE_MS?.trim();
  const keepAliveMs = raw ? Number(raw) : 65_000;
  if (!Number.isInteger(keepAliveMs) || keepAliveMs < 1_000) throw new Error(`SPINE_HTTP_KEEP_ALIVE_MS must be a whole number of milliseconds >= 1000, got "${raw}"`);
  server.keepAliveTimeout = keepAliveMs;
  server.headersTimeout = keepAliveMs + 1_000; // must exceed keepAliveTimeout, or Node closes first anyway
}
