import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS } from '@spine/runtime';
import { ModelControl } from '@spine/model-lifecycle';
import { supportTriage } from '@spine/platform';
import { Pipeline } from '../harness/pipeline.js';
import { readRaw } from '../harness/spine-fixture.js';

describe('the four-stage pipeline on the real stack', () => {
  const pipeline = new Pipeline('pipe');

  beforeAll(async () => {
    await pipeline.start();
  }, 180_000);
  afterAll(async () => pipeline.stop(), 60_000);

  it('turns N posted events into exactly N result rows, each tied to its event id, under one trace per event', async () => {
    const eventIds = await pipeline.post(25);
    expect(new Set(eventIds).size).toBe(25);
    expect(await pipeline.waitForResults(eventIds)).toBe(25);

    const response = await fetch(`${pipeline.service('sink').url}/v1/results/${eventIds[3]}`, { headers: { authorization: `Bearer ${pipeline.apiKey}` } });
    expect(response.status).toBe(200);
    const row = (await response.json()) as { eventId: string; modelName: string; modelVersion: string; priority: string; traceId: string };
    expect(row.eventId).toBe(eventIds[3]);
    expect(row.modelName).toBe('support-triage');
    expect(row.modelVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(['P1', 'P2', 'P3', 'P4']).toContain(row.priority);

    // Spans are exported in batches; give the last ones a moment to arrive.
    const deadline = Date.now() + 15_000;
    const pipelineServices = ['spine-enrichment', 'spine-inference', 'spine-ingestion', 'spine-sink'];
    const inTrace = () => pipelineServices.filter((s) => pipeline.collector.servicesInTrace(row.traceId).has(s));
    while (inTrace().length < pipelineServices.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    // Other consumers of the results topic (webhooks) may continue the same trace; the pipeline's four must all be in it.
    expect([...pipeline.collector.servicesInTrace(row.traceId)].sort()).toEqual(expect.arrayContaining(pipelineServices));
  });

  it('answers bad input with 400 and field-level reasons, and unauthenticated calls with 401', async () => {
    const ingestion = pipeline.service('ingestion').url;
    const bad = await fetch(`${ingestion}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pipeline.apiKey}` },
      body: JSON.stringify({ type: 'support.message', source: 'e2e', customerId: '', channel: 'FAX', body: 'hi' }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { issues: Array<{ field: string }> };
    expect(body.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['customerId', 'channel']));
    const anonymous = await fetch(`${ingestion}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    const notFound = await fetch(`${pipeline.service('sink').url}/v1/results/${randomUUID()}`, { headers: { authorization: `Bearer ${pipeline.apiKey}` } });
    expect(notFound.status).toBe(404);
  });

  it('dead-letters raw garbage with its original bytes and cause, and keeps processing the valid records around it', async () => {
    const before = await pipeline.post(3);
    const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x42]);
    const producer = pipeline.fx.kafka.producer();
    await producer.connect();
    await producer.send({ topic: pipeline.fx.topology.topics.supportMessages.name, messages: [{ key: 'garbage-key', value: garbage, headers: { origin: 'e2e' } }] });
    await producer.disconnect();
    const after = await pipeline.post(3);
    expect(await pipeline.waitForResults([...before, ...after])).toBe(6);

    const [dead] = await readRaw(pipeline.fx.kafka, pipeline.fx.topology.topics.enrichmentDeadLetters.name, 1);
    expect(dead!.value).toEqual(garbage);
    expect(dead!.key?.toString()).toBe('garbage-key');
    expect(dead!.headers.origin).toBe('e2e');
    expect(dead!.headers[DLQ_HEADERS.errorClass]).toBe('WireFormatError');
    expect(dead!.headers[DLQ_HEADERS.stage]).toBe('enrichment');
    expect(dead!.headers[DLQ_HEADERS.sourceTopic]).toBe(pipeline.fx.topology.topics.supportMessages.name);
    expect(dead!.headers[DLQ_HEADERS.sourceOffset]).toMatch(/^\d+$/);
    expect(dead!.headers[DLQ_HEADERS.attempts]).toBe('1');
  });

  it('shares work between two inference instances of one consumer group, with no duplicate results', async () => {
    const second = await pipeline.startService('inference', 'inference-2');
    // Wait for the rebalance to hand the second instance partitions.
    const deadline = Date.now() + 30_000;
    while ((await second.metric('spine_group_joins_total')) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const firstBefore = await pipeline.service('inference').metric('spine_records_in_total');
    const resultsTopic = pipeline.fx.topology.topics.triageResults.name;
    const highBefore = await highWatermarkSum(pipeline, resultsTopic);
    const eventIds = await pipeline.post(40, { customers: 40 });
    expect(await pipeline.waitForResults(eventIds)).toBe(40);
    expect((await pipeline.service('inference').metric('spine_records_in_total')) - firstBefore).toBeGreaterThan(0);
    expect(await second.metric('spine_records_in_total')).toBeGreaterThan(0);
    expect(await pipeline.resultCount(eventIds)).toBe(40);
    expect((await highWatermarkSum(pipeline, resultsTopic)) - highBefore).toBe(40); // no result produced twice
  });
});

describe('model versions', () => {
  const pipeline = new Pipeline('model');

  beforeAll(async () => {
    await pipeline.start();
  }, 180_000);
  afterAll(async () => pipeline.stop(), 60_000);

  async function versionsOf(eventIds: string[]): Promise<string[]> {
    const { rows } = await pipeline.pool.query<{ model_version: string }>(
      `SELECT DISTINCT model_version FROM "${pipeline.dbSchema}".ai_results WHERE event_id = ANY($1::uuid[])`,
      [eventIds],
    );
    return rows.map((r) => r.model_version);
  }

  it('runs the registry default model, switches to another version at runtime with no restart, and rolls back', async () => {
    const current = await pipeline.post(3);
    expect(await pipeline.waitForResults(current)).toBe(3);
    const [newest] = await versionsOf(current);
    expect(newest).toBe(supportTriage.stages.inference.model!.defaultVersion);

    const ops = new ModelControl({ kafka: pipeline.fx.kafka, codecs: pipeline.fx.codecs, clientId: `${pipeline.fx.prefix}ops` });
    await ops.start();
    try {
      const by = { actor: 'e2e', reason: 'compare with the earlier model' };
      const { name: stage, model } = supportTriage.stages.inference;
      await ops.register(model!.name, '1.0.0', { kind: 'in-process', function: `${model!.name}@1.0.0` }, by);
      await ops.promote(stage, '1.0.0', by);
      // The running inference process reads the control topic: its next records are answered by 1.0.0.
      expect(await untilVersion('1.0.0')).toBe(true);
      await ops.rollback(stage, by);
      expect(await untilVersion(newest!)).toBe(true);
    } finally {
      await ops.stop();
    }
  });

  /** Posts a message at a time until its result carries `version` (the switch is within seconds); then three more must. */
  async function untilVersion(version: string): Promise<boolean> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ids = await pipeline.post(1);
      await pipeline.waitForResults(ids);
      if ((await versionsOf(ids))[0] === version) break;
      if (Date.now() > deadline) return false;
    }
    const next = await pipeline.post(3);
    expect(await pipeline.waitForResults(next)).toBe(3);
    return (await versionsOf(next)).join() === version;
  }
});

async function highWatermarkSum(pipeline: Pipeline, topic: string): Promise<number> {
  const offsets = await pipeline.fx.admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}
