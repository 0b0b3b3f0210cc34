import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { payments, supportTriage } from '@spine/platform';
import { Pipeline } from '../harness/pipeline.js';
import { fraudScore, produceFraud, produceTriage, triageResult } from './results.js';
import { SseClient } from './sse-client.js';

const TRIAGE = supportTriage.topics.triageResults.name;
const FRAUD = payments.topics.fraudScores.name;

/** The sink's live stream of stored results, over its real HTTP API, fed by results produced to the result topics. */
describe('GET /v1/results/stream (Server-Sent Events from the sink)', () => {
  const pipeline = new Pipeline('sse', { sink: { SPINE_RESULTS_STREAM_HEARTBEAT_MS: '1000' } }, ['sink']);
  const clients: SseClient[] = [];
  const stream = async (query: string, headers: Record<string, string> = {}, key: string | null = pipeline.apiKey) => {
    const client = await new SseClient(`${pipeline.service('sink').url}/v1/results/stream${query}`, { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers }).open();
    clients.push(client);
    return client;
  };
  const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await pipeline.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await pipeline.stop();
  });

  it('streams the results of its filter as they are stored, with heartbeats while idle', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const client = await stream(`?topic=${TRIAGE}&entity=${a}`);
    expect(client.status).toBe(200);
    const wanted = Array.from({ length: 5 }, (_, n) => triageResult(a, { n }));
    await produceTriage(pipeline.fx, [wanted[0]!, triageResult(b), wanted[1]!, wanted[2]!]);
    await produceFraud(pipeline.fx, [fraudScore(a, 'DECLINE')]); // same key, other topic: filtered out
    await produceTriage(pipeline.fx, [wanted[3]!, triageResult(b), wanted[4]!]);
    const events = await client.waitFor(5, 20_000);
    await sleep(1_500); // nothing else may arrive, and an idle second brings a heartbeat
    expect(client.events).toHaveLength(5);
    expect(events.map((e) => e.data.eventId)).toEqual(wanted.map((r) => r.metadata.eventId));
    for (const e of events) {
      expect(e.event).toBe('result');
      expect(e.id).toMatch(/^\d+$/);
      expect(e.data).toMatchObject({ resultTopic: TRIAGE, entityKey: a, customerId: a, modelName: 'support-triage' });
    }
    const latencies = events.map((e) => e.receivedAt - Date.parse(String(e.data.storedAt))).sort((x, y) => x - y);
    process.stderr.write(`[results-stream] stored -> received over SSE: p50 ${latencies[2]} ms, max ${latencies[4]} ms\n`);
    expect(latencies[4]!).toBeLessThan(2_000);
    expect(client.comments).toContain('heartbeat');
  });

  it('resumes with Last-Event-ID: what was stored meanwhile arrives first, in order, with no duplicates, then live', async () => {
    const e = unique('resume');
    const results = Array.from({ length: 10 }, (_, n) => triageResult(e, { n }));
    const ids = results.map((r) => r.metadata.eventId);
    const first = await stream(`?entity=${e}`);
    await produceTriage(pipeline.fx, results.slice(0, 3));
    await first.waitFor(3, 20_000);
    const last = first.lastEventId!;
    await first.close();

    await produceTriage(pipeline.fx, results.slice(3, 7)); // stored while the client is away
    await produceFraud(pipeline.fx, [fraudScore(e, 'APPROVE')]); // its entity, another topic: part of an entity-only stream
    expect(await pipeline.waitForResults([...ids.slice(3, 7)], 20_000)).toBe(4);
    await sleep(500);
    const again = await stream(`?entity=${e}`, { 'last-event-id': last });
    const replayed = (await again.waitFor(5, 10_000)).slice(0, 5); // the 4 triage results and the fraud score (two topics: no order between them)
    expect(replayed.filter((x) => x.data.resultTopic === TRIAGE).map((x) => x.data.eventId)).toEqual(ids.slice(3, 7));
    expect(replayed.filter((x) => x.data.resultTopic === FRAUD)).toHaveLength(1);
    await produceTriage(pipeline.fx, results.slice(7)); // live again
    const all = await again.waitFor(8, 20_000);
    await sleep(500);
    const seen = [...first.events, ...again.events].map((x) => x.data.eventId);
    expect(seen.filter((id) => ids.includes(id as string))).toEqual(ids); // every one, in order, once
    expect(new Set([...first.events, ...again.events].map((x) => x.id)).size).toBe(first.events.length + again.events.length);
    expect(all.length).toBe(8);

    // ?lastEventId=0 replays the entity's whole history from the store.
    const history = await stream(`?entity=${e}&lastEventId=0`);
    await history.waitFor(11, 10_000);
    expect(history.events.filter((x) => x.data.resultTopic === TRIAGE).map((x) => x.data.eventId)).toEqual(ids);
  });

  it('authenticates, checks its parameters, and leaves GET /v1/results/:eventId as it was', async () => {
    expect((await stream('', {}, null)).status).toBe(401);
    expect((await stream('?topic=spine.crm.support-message.v1')).status).toBe(400);
    expect((await stream('', { 'last-event-id': 'yesterday' })).status).toBe(400);
    const response = await fetch(`${pipeline.service('sink').url}/v1/results/${randomUUID()}`, { headers: { authorization: `Bearer ${pipeline.apiKey}` } });
    expect(response.status).toBe(404);
  });

  it('stops cleanly on SIGTERM with streams open (they end; clients resume elsewhere)', async () => {
    const open = await stream(`?entity=${unique('open')}`);
    expect(open.status).toBe(200);
    expect(await pipeline.service('sink').metric('spine_results_stream_clients')).toBeGreaterThanOrEqual(1);
    const outcome = await pipeline.service('sink').stop('SIGTERM');
    expect({ code: outcome.code, fast: outcome.ms < 10_000 }).toEqual({ code: 0, fast: true });
  });
});
