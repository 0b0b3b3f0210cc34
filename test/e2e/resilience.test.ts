import { Pipeline } from '../harness/pipeline.js';

describe('failure and shutdown behaviour', () => {
  // Inference pretends to be a slow model: each record takes 300 ms, so work is in flight when we strike.
  const pipeline = new Pipeline('resil', { inference: { SPINE_INFERENCE_DELAY_MS: '300' } });

  beforeAll(async () => {
    await pipeline.start();
  }, 180_000);
  afterAll(async () => pipeline.stop(), 60_000);

  it.each(['enrichment', 'inference'] as const)('kill -9 of %s mid-stream, then restart: still exactly N result rows', async (service) => {
    const eventIds = await pipeline.post(30, { customers: 10 });
    await new Promise((r) => setTimeout(r, 700));
    await pipeline.service(service).stop('SIGKILL');
    await pipeline.startService(service);
    expect(await pipeline.waitForResults(eventIds, 120_000)).toBe(30);
  });

  it('SIGTERM under load: the stage exits cleanly within its bound, and a restart loses nothing', async () => {
    const eventIds = await pipeline.post(30, { customers: 10 });
    await new Promise((r) => setTimeout(r, 700));
    const outcome = await pipeline.service('inference').stop('SIGTERM');
    expect(outcome.code).toBe(0);
    expect(outcome.ms).toBeLessThan(25_000);
    await pipeline.startService('inference');
    expect(await pipeline.waitForResults(eventIds, 120_000)).toBe(30);
  });

  it('a handler slower than the session timeout causes no rebalance and no duplicate results', async () => {
    await pipeline.service('inference').stop('SIGTERM');
    // Session timeout 6 s (the broker's minimum), handler 9 s per record.
    const slow = await pipeline.startService('inference', 'inference', { SPINE_INFERENCE_DELAY_MS: '9000', SPINE_SESSION_TIMEOUT_MS: '6000', SPINE_HEARTBEAT_INTERVAL_MS: '1000' });
    const joinsBefore = await slow.metric('spine_group_joins_total');
    const resultsTopic = pipeline.fx.topology.topics.triageResults.name;
    const offsetsBefore = await pipeline.fx.admin.fetchTopicOffsets(resultsTopic);
    const eventIds = await pipeline.post(4, { customers: 4 });
    expect(await pipeline.waitForResults(eventIds, 120_000)).toBe(4);
    expect(await slow.metric('spine_group_joins_total')).toBe(joinsBefore);
    // Exactly 4 new records on the results topic: no record was produced twice.
    const offsetsAfter = await pipeline.fx.admin.fetchTopicOffsets(resultsTopic);
    const produced = offsetsAfter.reduce((sum, p) => sum + Number(p.high), 0) - offsetsBefore.reduce((sum, p) => sum + Number(p.high), 0);
    expect(produced).toBe(4);
  });
});
