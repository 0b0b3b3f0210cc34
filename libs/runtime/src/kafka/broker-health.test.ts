import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerHealth } from './broker-health.js';

// Against the real broker, a closed port, and a port that accepts connections but never answers (what a
// frozen broker looks like): the probe must tell them apart within its deadline.
describe('BrokerHealth', () => {
  const lines: Array<{ message: string; extra?: Record<string, unknown> }> = [];
  const log = (_level: string, message: string, extra?: Record<string, unknown>) => void lines.push({ message, ...(extra ? { extra } : {}) });
  const health = (brokers: string) => BrokerHealth.fromEnv(log, { ...process.env, KAFKA_BROKERS: brokers, SPINE_BROKER_PROBE_INTERVAL_MS: '100', SPINE_BROKER_PROBE_TIMEOUT_MS: '500' });
  let silent: Server;
  let silentPort: number;
  const open = new Set<Socket>();

  beforeAll(async () => {
    silent = createServer((socket) => {
      open.add(socket); // accepts and reads, never answers
      socket.resume();
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => silent.close(resolve)));

  it('is healthy once Kafka answers; a slow publish alone does not make it unhealthy (the probe it triggers decides)', async () => {
    const h = health(process.env.KAFKA_BROKERS!);
    expect(h.healthy).toBe(false);
    await h.connect(async () => undefined);
    expect(h.healthy).toBe(true);
    h.reportFailure('publish timed out');
    await sleep(300);
    expect(h.status).toEqual(expect.objectContaining({ healthy: true, lastError: null }));
    await h.stop();
  });

  it('turns unhealthy as soon as the probe a missed publish deadline triggers fails', async () => {
    const h = new BrokerHealth(log, { intervalMs: 60_000, timeoutMs: 500, brokers: process.env.KAFKA_BROKERS!, ssl: false });
    await h.connect(async () => undefined);
    (h.options as { brokers: string }).brokers = `127.0.0.1:${silentPort}`; // the broker stops answering
    const reported = Date.now();
    h.reportFailure('publish timed out');
    while (h.healthy && Date.now() - reported < 3_000) await sleep(20);
    expect(h.status).toEqual(expect.objectContaining({ healthy: false, lastError: expect.stringMatching(/^publish timed out; probe: no answer/) }));
    expect(Date.now() - reported).toBeLessThan(1_000); // the probe deadline, not the 60 s interval
    await h.stop();
  });

  it.each([
    ['refuses connections', () => '127.0.0.1:1', /ECONNREFUSED/],
    ['never answers', () => `127.0.0.1:${silentPort}`, /.+/],
  ])('keeps waiting, with a log line per attempt, while the broker %s', async (_, brokers, error) => {
    lines.length = 0;
    const h = health(brokers());
    let connected = false;
    const connecting = h.connect(async () => void (connected = true));
    const started = Date.now();
    while (lines.length < 2 && Date.now() - started < 10_000) await sleep(50);
    await h.stop();
    await expect(connecting).rejects.toThrow('stopped before Kafka was reachable');
    expect(connected).toBe(false);
    expect(h.healthy).toBe(false);
    expect(lines.slice(0, 2)).toEqual([
      { message: 'waiting for Kafka', extra: expect.objectContaining({ attempt: 1, error: expect.stringMatching(error) }) },
      { message: 'waiting for Kafka', extra: expect.objectContaining({ attempt: 2 }) },
    ]);
    // Each attempt is bounded by the probe deadline (500 ms) plus the backoff (500 ms, then 1 s).
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('closes every probe socket, even against a broker that never answers', async () => {
    const h = health(`127.0.0.1:${silentPort}`);
    h.start();
    await sleep(2_500); // several probes of 500 ms each
    await h.stop();
    await sleep(700);
    expect(open.size).toBe(0);
  });
});
