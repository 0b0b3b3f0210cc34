import { randomUUID } from 'node:crypto';
import { Pipeline } from '../harness/pipeline.js';
import { Receiver } from './receiver.js';
import { produceTriage, triageResult } from './results.js';

// A measurement, not a check: SPINE_BENCH_WEBHOOKS=2000 node scripts/jest.mjs test/delivery/webhooks-bench
const count = Number(process.env.SPINE_BENCH_WEBHOOKS ?? 0);
const bench = count > 0 ? describe : describe.skip;

bench('webhook throughput (results produced to the topic -> 2xx at loopback receivers)', () => {
  const pipeline = new Pipeline('whbench', { webhooks: { SPINE_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.1/32' } }, ['webhooks']);
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    await pipeline.start();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await pipeline.stop();
  });

  it.each([1, 4])('%i subscription(s), 200 entities', async (subscriptions) => {
    const tag = randomUUID().slice(0, 8);
    const entities = Array.from({ length: 200 }, (_, i) => `bench-${tag}-${i}`);
    const rs = await Promise.all(Array.from({ length: subscriptions }, () => new Receiver().start()));
    receivers.push(...rs);
    for (const r of rs) {
      const created = await fetch(`${pipeline.service('webhooks').url}/v1/webhooks/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pipeline.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: r.url, filter: { entityKeys: entities } }),
      });
      expect(created.status).toBe(201);
    }
    const results = Array.from({ length: count }, (_, i) => triageResult(entities[i % entities.length]!, { n: i }));
    const started = Date.now();
    for (let i = 0; i < results.length; i += 500) await produceTriage(pipeline.fx, results.slice(i, i + 500));
    await Promise.all(rs.map((r) => r.waitFor((a) => a.length >= count, 300_000, `${count} deliveries`)));
    const seconds = (Date.now() - started) / 1000;
    const lags = rs.flatMap((r) => r.accepted.map((a) => a.receivedAt - started)).sort((a, b) => a - b);
    process.stderr.write(
      `[webhooks-bench] ${count} results x ${subscriptions} subscription(s): ${(count * subscriptions / seconds).toFixed(0)} deliveries/s ` +
        `(${seconds.toFixed(1)} s; last delivery ${lags.at(-1)} ms after the first produce)\n`,
    );
  });
});
