import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spinePlatform, supportTriage } from '@spine/platform';
import { PermanentError, type StageRunner } from '@spine/runtime';
import type { SupportMessageReceived } from '@spine/schemas';
import { provisionedFixture, readRaw, type SpineFixture } from '../harness/spine-fixture.js';
import { startStage } from '../harness/stage.js';
import { cliOk, runCli } from '../harness/cli.js';

const { topics, stages } = supportTriage;
const cli = join(import.meta.dirname, '..', '..', 'apps', 'cli', 'dist', 'main.js');
const GARBAGE = Buffer.from('not avro at all');

type Line = { partition: number; offset: string; key: unknown; value: { body: string; metadata: { eventId: string; occurredAt: string } } | null; valueBase64?: string; valueError?: string; headers: Record<string, string> };

/** tail, dlq, replay (by offset range) and reset, run as real CLI processes against the real broker and registry. */
describe('operator CLI: tail, dlq, replay ranges, reset', () => {
  let fx: SpineFixture;
  let runner: StageRunner | undefined;
  let input: string;
  const group = () => `${fx.prefix}spine.enrichment`;
  const ids = new Map<string, string>(); // body -> event id
  let betweenM2AndM3 = '';

  const env = () => ({ ...process.env, SPINE_TOPIC_PREFIX: fx.prefix });
  const run = (...args: string[]) => runCli(args, env());
  const ok = (...args: string[]) => cliOk(args, env());
  const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  const bodies = (stdout: string) => lines(stdout).map((l) => l.value?.body ?? '<undecoded>');

  const message = (body: string, customerId: string): SupportMessageReceived => {
    const eventId = randomUUID();
    ids.set(body, eventId);
    return { metadata: { eventId, occurredAt: new Date(), receivedAt: new Date(), source: 'opcli', correlationId: `corr-${body}` }, customerId, channel: 'EMAIL', subject: null, body, orderAmount: null };
  };
  const publish = async (body: string, customerId: string) => {
    await fx.producer.publish([{ topic: topics.supportMessages, key: customerId, value: message(body, customerId), headers: { 'x-tenant': 'acme', 'x-correlation-id': `corr-${body}` } }]);
    await sleep(15); // distinct timestamps, so "last N" and "--from <time>" have one answer
  };
  const committed = async () => (await fx.admin.fetchOffsets({ groupId: group(), topics: [input] }))[0]!.partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition);
  const ends = async () => (await fx.admin.fetchTopicOffsets(input)).map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);

  beforeAll(async () => {
    fx = await provisionedFixture('opcli', 2);
    input = fx.topology.topics.supportMessages.name;
    // A record that is not Avro at all, three the stage fails on, then six good ones.
    const raw = fx.kafka.producer();
    await raw.connect();
    await raw.send({ topic: input, acks: -1, messages: [{ key: 'cust-g', value: GARBAGE }] });
    await raw.disconnect();
    await publish('fail-permanent-1', 'cust-f');
    await publish('fail-permanent-2', 'cust-f');
    await publish('fail-type', 'cust-f');
    for (let i = 0; i < 6; i++) {
      if (i === 3) {
        await sleep(200);
        betweenM2AndM3 = new Date().toISOString();
        await sleep(200);
      }
      await publish(`m${i}`, i % 2 ? 'cust-b' : 'cust-a');
    }
    runner = await startStage<SupportMessageReceived>(fx, { ...stages.enrichment, maxAttempts: 1 }, async (m) => {
      if (m.value.body.startsWith('fail-permanent')) throw new PermanentError('model artifact missing');
      if (m.value.body === 'fail-type') throw new TypeError('features.total is not a number');
    });
    await readRaw(fx.kafka, fx.topology.topics.enrichmentDeadLetters.name, 4);
  });

  afterAll(async () => {
    await runner?.stop();
    await fx.close();
  });

  it('tail: the last N records decoded to JSON, by declared or deployed name, by key, from a point', async () => {
    const last = await ok('tail', 'spine.crm.support-message.v1', '--limit', '3', '--json');
    expect(bodies(last.stdout)).toEqual(['m3', 'm4', 'm5']);
    const [first] = lines(last.stdout);
    expect(first!.value!.metadata.eventId).toBe(ids.get('m3'));
    expect(first!.value!.metadata.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(first!.key).toBe('cust-b');
    expect(first!.headers['x-tenant']).toBe('acme');
    expect(first!.headers['x-correlation-id']).toBe('corr-m3');

    expect((await ok('tail', input, '--limit', '3', '--json')).stdout).toBe(last.stdout); // the deployed name
    expect(bodies((await ok('tail', 'spine.crm.support-message.v1', '--json')).stdout)).toHaveLength(10); // default 10: everything here
    expect(bodies((await ok('tail', input, '--key', 'cust-b', '--json')).stdout)).toEqual(['m1', 'm3', 'm5']);
    expect(bodies((await ok('tail', input, '--from', betweenM2AndM3, '--json')).stdout)).toEqual(['m3', 'm4', 'm5']);

    const earliest = lines((await ok('tail', input, '--from', 'earliest', '--limit', '2', '--json')).stdout);
    expect(earliest[0]!.value).toBeNull(); // the record that is not Avro: shown as base64, with the reason
    expect(Buffer.from(earliest[0]!.valueBase64!, 'base64')).toEqual(GARBAGE);
    expect(earliest[0]!.valueError).toMatch(/magic byte|wire format/i);
    expect(earliest[1]!.value!.body).toBe('fail-permanent-1');

    const human = await ok('tail', input, '--limit', '1');
    expect(human.stdout).toContain('"cust-b"');
    expect(human.stdout).toContain('"body":"m5"');
  });

  it('tail --follow prints new records until interrupted, and no tail leaves a consumer group behind', async () => {
    const child = spawn(process.execPath, [cli, 'tail', input, '--follow', '--limit', '0', '--json'], { env: { ...process.env, SPINE_TOPIC_PREFIX: fx.prefix, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let t = 0; !stderr.includes('following') && t < 300; t++) await sleep(100);
      expect(stderr).toContain('following');
      await sleep(1_500); // the throwaway group has joined and sought to the end
      await publish('m6', 'cust-a');
      for (let t = 0; !stdout.includes('"m6"') && t < 300; t++) await sleep(100);
      expect(bodies(stdout)).toEqual(['m6']);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const groups = (await fx.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${fx.prefix}spine.cli.`));
    expect(groups).toEqual([]);
  });

  it('tail refuses an unknown topic, listing the registered ones', async () => {
    const refused = await run('tail', 'spine.nope.v1');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('unknown topic "spine.nope.v1"');
    for (const t of spinePlatform.topics) expect(refused.stderr).toContain(t.name);
  });

  it('dlq list: count, not re-driven, oldest and newest, error classes with counts', async () => {
    const report = JSON.parse((await ok('dlq', 'list', 'enrichment', '--json')).stdout) as {
      count: number; pending: number; oldest: { failedAt: string }; newest: { failedAt: string };
      errorClasses: Array<{ errorClass: string; count: number; lastMessage: string }>; sourceTopics: Array<{ topic: string; count: number }>;
    };
    expect(report.count).toBe(4);
    expect(report.pending).toBe(4);
    expect(Date.parse(report.oldest.failedAt)).toBeLessThanOrEqual(Date.parse(report.newest.failedAt));
    const classes = Object.fromEntries(report.errorClasses.map((c) => [c.errorClass, c.count]));
    expect(classes.PermanentError).toBe(2);
    expect(classes.TypeError).toBe(1);
    expect(report.errorClasses).toHaveLength(3);
    expect(report.errorClasses.find((c) => !['PermanentError', 'TypeError'].includes(c.errorClass))!.lastMessage).toContain('could not be decoded');
    expect(report.sourceTopics).toEqual([{ topic: input, count: 4 }]);
    expect((await ok('dlq', 'list', 'enrichment')).stdout).toMatch(/4 dead letter\(s\).*4 not re-driven/);
  });

  it('dlq show: cause headers plus the original, decoded through the source schema or raw base64', async () => {
    type Letter = { offset: string; cause: Record<string, string>; original: { topic: string; key: unknown; value: { body: string } | null; valueBase64?: string; valueError?: string; headers: Record<string, string> } };
    const all = JSON.parse((await ok('dlq', 'show', 'enrichment', '--json')).stdout) as Letter[];
    expect(all.map((l) => l.offset)).toEqual(['0', '1', '2', '3']);
    for (const letter of all) {
      expect(letter.cause.stage).toBe('enrichment');
      expect(letter.cause.sourceTopic).toBe(input);
      expect(letter.cause.group).toBe(group());
      expect(letter.original.topic).toBe(input);
    }
    const permanent = all.filter((l) => l.cause.errorClass === 'PermanentError');
    expect(permanent.map((l) => l.original.value!.body).sort()).toEqual(['fail-permanent-1', 'fail-permanent-2']);
    expect(permanent[0]!.original.key).toBe('cust-f');
    expect(permanent[0]!.original.headers['x-tenant']).toBe('acme');
    const garbage = all.find((l) => l.original.value === null)!;
    expect(Buffer.from(garbage.original.valueBase64!, 'base64')).toEqual(GARBAGE);
    expect(garbage.original.valueError).toBeTruthy();

    const page = JSON.parse((await ok('dlq', 'show', 'enrichment', '--offset', '1', '--limit', '2', '--json')).stdout) as Letter[];
    expect(page.map((l) => l.offset)).toEqual(['1', '2']);
    expect(page).toEqual(all.slice(1, 3));
  });

  it('replay and reset refuse while the stage runs, naming its members; unknown stages are refused listing the known', async () => {
    const whileRunning = [['replay', '--stage', 'enrichment', '--from', 'earliest'], ['replay', '--stage', 'enrichment', '--from', '0', '--to', '2'], ['reset', '--stage', 'enrichment', '--to', 'earliest']];
    for (const refused of await Promise.all(whileRunning.map((args) => run(...args)))) {
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`group ${group()} has 1 active member(s) (test-opcli@`);
      expect(refused.stderr).toContain('stop the enrichment service first');
    }
    const unknown = [['reset', '--stage', 'nope', '--to', 'earliest'], ['dlq', 'list', 'nope'], ['dlq', 'show', 'nope']];
    for (const refused of await Promise.all(unknown.map((args) => run(...args)))) {
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('unknown stage "nope"');
      for (const stage of spinePlatform.stages) expect(refused.stderr).toContain(stage.name);
    }
    expect((await run('reset', '--stage', 'enrichment', '--to', '5')).stderr).toContain('--to "5" is not "earliest", or "latest"');
    expect((await run('replay', '--stage', 'enrichment', '--from', '3', '--to', '1')).stderr).toContain('is not after --from');
    expect((await run('dlq', 'purge', 'enrichment')).stderr).toContain('dlq list <stage> | dlq show <stage>');
  });

  it('replay --from O --to P re-publishes just [O, P) of each input partition, byte for byte, without moving the group', async () => {
    await runner!.stop();
    runner = undefined;
    const before = await ends();
    const groupBefore = await committed();
    const report = JSON.parse((await ok('replay', '--stage', 'enrichment', '--from', '1', '--to', '3', '--json')).stdout) as { mode: string; copied: number; topics: Array<{ partitions: Array<{ partition: number; copied: number }> }> };
    const expected = before.map((p) => Math.max(0, Math.min(3, p.high) - Math.max(1, p.low)));
    expect(report.mode).toBe('copy');
    expect(report.topics[0]!.partitions.map((p) => p.copied)).toEqual(expected);
    expect(report.copied).toBe(expected.reduce((a, b) => a + b, 0));
    expect(await committed()).toEqual(groupBefore);

    const total = before.reduce((sum, p) => sum + p.high, 0) + report.copied;
    const records = await readRaw(fx.kafka, input, total);
    const copiedIds: string[] = [];
    for (const p of before) {
      const inPartition = records.filter((r) => r.partition === p.partition).sort((a, b) => Number(a.offset) - Number(b.offset));
      const originals = inPartition.filter((r) => Number(r.offset) >= 1 && Number(r.offset) < Math.min(3, p.high));
      const copies = inPartition.filter((r) => Number(r.offset) >= p.high);
      expect(copies.map((c) => [c.key, c.value, c.headers])).toEqual(originals.map((o) => [o.key, o.value, o.headers]));
      for (const o of originals) {
        const body = [...ids].find(([, id]) => o.value!.includes(Buffer.from(id)))?.[0];
        if (body) copiedIds.push(ids.get(body)!);
      }
    }

    // The stage, started again, processes exactly the copies (its idempotent writes would absorb them).
    const seen: string[] = [];
    runner = await startStage<SupportMessageReceived>(fx, { ...stages.enrichment, maxAttempts: 1 }, async (m) => {
      seen.push(m.value.metadata.eventId);
    });
    for (let t = 0; seen.length < copiedIds.length && t < 300; t++) await sleep(100);
    await sleep(1_000);
    expect(seen.sort()).toEqual(copiedIds.sort());
    await runner.stop();
    runner = undefined;
  });

  it('replay --from <offset> rewinds the stopped group there; reset moves it to the start or the end', async () => {
    const bounds = await ends();
    const rewound = JSON.parse((await ok('replay', '--stage', 'enrichment', '--from', '2', '--json')).stdout) as { mode: string; topics: Array<{ partitions: Array<{ partition: number; offset: string }> }> };
    expect(rewound.mode).toBe('rewind');
    const expected = bounds.map((b) => ({ partition: b.partition, offset: String(Math.min(Math.max(2, b.low), b.high)) }));
    expect(rewound.topics[0]!.partitions).toEqual(expected);
    expect(await committed()).toEqual(expected);

    await ok('reset', '--stage', 'enrichment', '--to', 'latest');
    expect(await committed()).toEqual(bounds.map((b) => ({ partition: b.partition, offset: String(b.high) })));
    const reset = JSON.parse((await ok('reset', '--stage', 'enrichment', '--to', 'earliest', '--json')).stdout) as { topics: Array<{ partitions: Array<{ offset: string }> }> };
    expect(reset.topics[0]!.partitions.map((p) => p.offset)).toEqual(bounds.map((b) => String(b.low)));
    expect(await committed()).toEqual(bounds.map((b) => ({ partition: b.partition, offset: String(b.low) })));
  });
});
