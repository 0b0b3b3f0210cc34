// HEALTHCHECK of the Spine image: exits 0 when the service in this container answers GET /health/ready with 200.
// The port is PORT, else the stage registry's port of the service (SPINE_SERVICE, or the app PID 1 runs).
import { readFileSync } from 'node:fs';

const fail = (message) => {
  console.error(`healthcheck: ${message}`);
  process.exit(1);
};
let port = process.env.PORT?.trim();
if (!port) {
  let service = process.env.SPINE_SERVICE;
  if (!service) {
    try {
      service = /apps\/([^/]+)\/dist\/main\.js/.exec(readFileSync('/proc/1/cmdline', 'utf8'))?.[1];
    } catch {
      // no /proc: fall through to the message below
    }
  }
  if (!service) fail('set PORT or SPINE_SERVICE');
  const { spinePlatform } = await import('@spine/platform');
  port = spinePlatform.services.find((s) => s.name === service)?.port;
  if (!port) fail(`"${service}" is not a service of the stage registry; set PORT`);
}
const url = `http://127.0.0.1:${port}/health/ready`;
const response = await fetch(url, { signal: AbortSignal.timeout(4000) }).catch((error) => fail(`${url}: ${error.message}`));
if (response.status !== 200) fail(`${url} answered ${response.status}`);
