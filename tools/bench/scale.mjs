// ./spine bench --mode scale: clean scale-out and scale-in of a stage (inference), on pre-filled records.
//   join   one instance drains; at --join-at of the input a second instance of the same group starts;
//   leave  two instances drain; at --leave-at one of them gets SIGTERM (graceful: finish, commit, leave).
// Reports the drain rate per phase (from the output topic's high watermarks, sampled every 150 ms), the speed-up
// (or slow-down), the duplicates on the output topic (records read back and decoded minus distinct event ids),
// and the machine's idle CPU per phase (/proc/stat), so a speed-up below 2x on a small machine is explained.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { supportTriage, topicsUsedBy } from '@spine/platform';
import { groupIdOf } from '@spine/topology';
import { fmt, machine, round } from '../lib/stats.mjs';
import { Child } from './children.mjs';
import { BenchError, Cleanup, Progress, intListOption, listOption, log, parseModeArgs, stackEnv, uniquePrefix } from './common.mjs';
import { committedTotal, connectStack, groupState, provisionPrefix, readBack, topicEnds } from './platform.mjs';
import { prefill } from './prefill.mjs';
import { CpuSampler, cpuSeconds, stackPids } from './proc.mjs';
import { serviceScript } from './services.mjs';
import { enrichedMessage } from './workload.mjs';

export const USAGE = `usage: ./spine bench --mode scale [options]      (node tools/bench.mjs --mode scale ...)
Scale-out and scale-in of the inference stage on N pre-filled enriched records (a unique prefix per scenario,
deleted afterwards): "join" starts one instance and a second of the same group when --join-at of the records
are done; "leave" starts two and sends one SIGTERM (graceful) at --leave-at. Reports the rate per phase, the
speed-up, duplicates on the output topic (read back fully and decoded: records - distinct event ids), each
instance's CPU, and the machine's idle CPU per phase (/proc/stat). Needs only the stack (./spine stack up).
  --records N      records to pre-fill per scenario (default 60000)
  --scenarios L    join, leave (default join,leave)
  --join-at F      share of the records done when the second instance starts, 0.05..0.9 (default 0.33)
  --leave-at F     share of the records done when one of two instances leaves, 0.05..0.9 (default 0.5)
  --partitions P   partitions of the input topic (default 6)
  --customers K    distinct customers (record keys) (default 200)
  --max-backlog B  SPINE_MAX_BACKLOG_PER_PARTITION for the instances (default: the runtime's, 256)
  --stall S        seconds without a committed record before the drain counts as stalled (default 20)
  --timeout S      deadline per scenario in seconds (default 120 + N/200)
  --json           print the summary as JSON
A stalled drain is reported (which partitions, their owner, committed vs end) and makes the exit code 1.`;

const OPTIONS = {
  records: { type: 'string', default: '60000' },
  scenarios: { type: 'string', default: 'join,leave' },
  'join-at': { type: 'string', default: '0.33' },
  'leave-at': { type: 'string', default: '0.5' },
  partitions: { type: 'string', default: '6' },
  customers: { type: 'string', default: '200' },
  'max-backlog': { type: 'string' },
  stall: { type: 'string', default: '20' },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
};

const { topics, stages } = supportTriage;
const POLL_MS = 150;

class StallError extends BenchError {}

/** The partitions an instance owns now: its log's last 'joined consumer group' line (the runtime logs each assignment). */
function assignmentOf(logFile, topic) {
  try {
    const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"joined consumer group"'));
    return JSON.parse(lines.at(-1) ?? '{}').assignment?.[topic] ?? [];
  } catch {
    return [];
  }
}

/** Per partition: committed vs end, and who owns the ones that are behind. */
async function stallReport(stack, groupId, inputTopic, instances) {
  const ends = (await topicEnds(stack.admin, inputTopic)).byPartition;
  const [entry] = await stack.admin.fetchOffsets({ groupId, topics: [inputTopic] });
  const committed = new Map((entry?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
  const owners = {};
  for (const [label, child] of Object.entries(instances)) if (!child.exited) for (const p of assignmentOf(child.logFile, inputTopic)) owners[p] = label;
  return [...ends]
    .filter(([p, end]) => (committed.get(p) ?? 0) < end)
    .map(([partition, end]) => ({ partition, committed: committed.get(partition) ?? 0, end, owner: owners[partition] ?? 'none' }));
}

async function options(args) {
  const v = await parseModeArgs(args, OPTIONS, USAGE);
  const share = (name) => {
    const x = Number(v[name]);
    if (!(x >= 0.05 && x <= 0.9)) throw new BenchError(`--${name} must be a share between 0.05 and 0.9, got ${v[name]}`);
    return x;
  };
  const [records] = intListOption(v.records, 1000, 5_000_000, 'records');
  return {
    records,
    scenarios: listOption(v.scenarios, ['join', 'leave'], 'scenarios'),
    joinAt: share('join-at'),
    leaveAt: share('leave-at'),
    partitions: intListOption(v.partitions, 2, 64, 'partitions')[0],
    customers: intListOption(v.customers, 1, 1_000_000, 'customers')[0],
    maxBacklog: v['max-backlog'] === undefined ? null : intListOption(v['max-backlog'], 1, 100_000_000, 'max-backlog')[0],
    stallMs: intListOption(v.stall, 2, 3600, 'stall')[0] * 1000,
    timeoutMs: (v.timeout === undefined ? Math.ceil(120 + records / 200) : intListOption(v.timeout, 1, 86_400, 'timeout')[0]) * 1000,
    json: v.json,
  };
}

/** Watches a drain: output records produced, input offsets committed, the group's state, every POLL_MS. */
class Timeline {
  samples = [];
  constructor(stack, groupId, inputTopic, outputTopic) {
    Object.assign(this, { stack, groupId, inputTopic, outputTopic });
  }
  async sample() {
    const [ends, committed, group] = await Promise.all([
      topicEnds(this.stack.admin, this.outputTopic),
      committedTotal(this.stack.admin, this.groupId, this.inputTopic),
      groupState(this.stack.admin, this.groupId),
    ]);
    const s = { t: Date.now(), produced: ends.total, committed, state: group.state, members: group.members };
    this.samples.push(s);
    return s;
  }
  get last() {
    return this.samples.at(-1);
  }
  /** Output records produced by wall time t (linear between samples). */
  producedAt(t) {
    const xs = this.samples;
    if (!xs.length) return 0;
    if (t <= xs[0].t) return xs[0].produced;
    for (let i = 1; i < xs.length; i++) if (t <= xs[i].t) return xs[i - 1].produced + ((xs[i].produced - xs[i - 1].produced) * (t - xs[i - 1].t)) / Math.max(1, xs[i].t - xs[i - 1].t);
    return xs.at(-1).produced;
  }
  /** First sample time at which `pred` holds, after `after`. */
  firstTime(pred, after = 0) {
    return this.samples.find((s) => s.t >= after && pred(s))?.t ?? null;
  }
}

function phase(name, timeline, sampler, instances, t0, t1) {
  if (t0 === null || t0 === undefined || t1 === null || t1 === undefined || t1 <= t0) return { name, seconds: null, records: null, recordsPerSecond: null, machineIdle: null, instances: {} };
  const records = timeline.producedAt(t1) - timeline.producedAt(t0);
  const seconds = (t1 - t0) / 1000;
  const perInstance = {};
  for (const label of instances) {
    const cpu = sampler.between(label, t0, t1);
    perInstance[label] = { cpuSeconds: round(cpu, 2), coresBusy: cpu === null ? null : round(cpu / seconds, 2) };
  }
  const kafka = sampler.between('kafka', t0, t1);
  const instanceCpu = Object.values(perInstance).reduce((a, v) => a + (v.cpuSeconds ?? 0), 0);
  return {
    name,
    seconds: round(seconds, 2),
    records: Math.round(records),
    recordsPerSecond: round(records / seconds),
    machineIdle: round(sampler.idleBetween(t0, t1), 3),
    kafkaCoresBusy: kafka === null ? null : round(kafka / seconds, 2),
    recordsPerInstanceCpuSecond: instanceCpu ? round(records / instanceCpu) : null,
    instances: perInstance,
  };
}

async function scenario(kind, opts, stack, cleanup, progress) {
  const prefix = uniquePrefix(`scale-${kind}`);
  const N = opts.records;
  log(`scenario ${kind}: prefix ${prefix}, ${N} records on ${opts.partitions} partitions`);
  const prefixed = await provisionPrefix(stack, cleanup, prefix, topicsUsedBy(stages.inference), opts.partitions);
  const inputTopic = prefixed.name(topics.enrichedMessages);
  const outputTopic = prefixed.name(topics.triageResults);
  const groupId = groupIdOf(stages.inference, prefixed.deployment);
  await prefill(stack, prefixed, topics.enrichedMessages, N, {
    make: (i) => enrichedMessage(i, opts.customers),
    keyOf: (v) => v.message.customerId,
    eventIdOf: (v) => v.message.metadata.eventId,
    progress,
    cleanup,
  });

  const kafkaPid = stackPids().kafka;
  const sampler = new CpuSampler(kafkaPid ? { kafka: () => cpuSeconds(kafkaPid) } : {}, 200).start();
  const stopSampler = cleanup.add('cpu sampler', async () => sampler.stop());
  const timeline = new Timeline(stack, groupId, inputTopic, outputTopic);
  const instances = {};
  const start = (label) => {
    const env = { SPINE_TOPIC_PREFIX: prefix, PORT: 0, HOST: '127.0.0.1' };
    if (opts.maxBacklog) env.SPINE_MAX_BACKLOG_PER_PARTITION = opts.maxBacklog;
    const child = new Child(`inference-${label}`, serviceScript('inference'), env, cleanup, { prefix }).start();
    instances[label] = child;
    sampler.add(label, () => cpuSeconds(child.pid));
    log(`scenario ${kind}: started instance ${label} (pid ${child.pid})`);
    return child;
  };
  const events = {};
  let stopOutcome = null;
  let stall = null;
  progress.status = () => {
    const s = timeline.last;
    return s ? `scale ${kind}: ${s.produced.toLocaleString('en-US')}/${N.toLocaleString('en-US')} produced · ${s.committed.toLocaleString('en-US')} committed · group ${s.state}, ${s.members} member(s)` : `scale ${kind}: starting`;
  };

  const deadline = Date.now() + opts.timeoutMs;
  let progressAt = Date.now();
  let progressMark = -1;
  const tick = async () => {
    cleanup.check();
    for (const [label, child] of Object.entries(instances)) if (!(label === 'b' && kind === 'leave' && events.leave)) child.assertRunning();
    if (Date.now() > deadline) throw new BenchError(`scenario ${kind} did not finish within ${opts.timeoutMs / 1000} s (${timeline.last?.committed ?? 0}/${N} committed); see ${LOGS(instances)}`);
    const s = await timeline.sample();
    if (s.committed !== progressMark || s.state !== 'Stable') {
      progressMark = s.committed;
      progressAt = s.t;
    } else if (s.committed > 0 && s.committed < N && s.t - progressAt > opts.stallMs) {
      throw new StallError(`no record committed for ${opts.stallMs / 1000} s at ${s.committed}/${N}, group Stable with ${s.members} member(s)`);
    }
    await sleep(POLL_MS);
    return s;
  };
  const LOGS = (xs) => Object.values(xs).map((c) => c.logFile).join(', ');

  try {
    if (kind === 'join') {
      start('a');
      let s;
      do s = await tick();
      while (!(s.state === 'Stable' && s.members === 1));
      events.stable1 = s.t;
      do s = await tick();
      while (s.produced < opts.joinAt * N);
      events.spawn = Date.now();
      start('b');
      do s = await tick();
      while (s.state === 'Stable' && s.members === 1 && s.committed < N);
      events.rebalance = s.state !== 'Stable' ? s.t : null;
      while (!(s.state === 'Stable' && s.members === 2) && s.committed < N) s = await tick();
      events.stable2 = s.state === 'Stable' && s.members === 2 ? s.t : null;
      if (!events.stable2) log('scenario join: the drain ended before the second instance joined; use more --records');
    } else {
      start('a');
      start('b');
      let s;
      do s = await tick();
      while (!(s.state === 'Stable' && s.members === 2) && s.committed < N);
      events.stable2 = s.state === 'Stable' && s.members === 2 ? s.t : null;
      if (!events.stable2) throw new BenchError('scenario leave: the two instances never formed a stable group of 2 before the drain ended; use more --records');
      do s = await tick();
      while (s.produced < opts.leaveAt * N);
      events.leave = Date.now();
      log(`scenario leave: SIGTERM to instance b at ${s.produced}/${N} produced`);
      const stopping = instances.b.stop('SIGTERM').then((o) => (stopOutcome = o));
      do s = await tick();
      while (!(s.state === 'Stable' && s.members === 1) && s.committed < N);
      events.stable1 = s.state === 'Stable' && s.members === 1 ? s.t : null;
      await stopping;
      log(`scenario leave: instance b exited with ${stopOutcome.signal ? `signal ${stopOutcome.signal}` : `code ${stopOutcome.code}`} after ${stopOutcome.ms} ms`);
    }
    let s = timeline.last;
    while (s.committed < N) s = await tick();
    events.end = s.t;
  } catch (err) {
    if (!(err instanceof StallError)) throw err;
    stall = { message: err.message, at: Date.now(), partitions: await stallReport(stack, groupId, inputTopic, instances) };
    events.end = progressAt;
    log(
      `scenario ${kind}: STALLED — ${err.message}; behind: ${stall.partitions.map((p) => `p${p.partition} ${p.committed}/${p.end} (owner ${p.owner})`).join(', ')}; logs ${LOGS(instances)}`,
    );
  } finally {
    progress.status = () => `scale ${kind}: stopping the instances`;
    for (const child of Object.values(instances)) await child.stopNow().catch(() => {});
    await stopSampler();
    progress.status = null;
  }

  const back = await readBack(stack, outputTopic, { groupPrefix: prefix, cleanup });
  // The drain's last records finish partition by partition (unequal sizes): the steady rate of a phase that runs
  // to the end is taken up to 95 % of the records, the tail reported apart.
  const t95 = timeline.firstTime((x) => x.produced >= 0.95 * N) ?? events.end;
  const labels = Object.keys(instances);
  let phases;
  if (kind === 'join') {
    phases = [
      phase('one instance', timeline, sampler, labels, events.stable1, events.spawn ?? events.end),
      phase('second starting + rebalance', timeline, sampler, labels, events.spawn, events.stable2),
      phase('two instances (to 95 %)', timeline, sampler, labels, events.stable2, t95),
      phase('tail (95 % → last)', timeline, sampler, labels, t95, events.end),
    ];
  } else {
    phases = [
      phase('two instances', timeline, sampler, labels, events.stable2, events.leave ?? events.end),
      phase('one leaving + rebalance', timeline, sampler, labels, events.leave, events.stable1),
      phase('one instance (to 95 %)', timeline, sampler, labels, events.stable1, t95),
      phase('tail (95 % → last)', timeline, sampler, labels, t95, events.end),
    ];
  }
  const before = phases[0].recordsPerSecond;
  const after = phases[2].recordsPerSecond;
  const result = {
    scenario: kind,
    prefix,
    groupId,
    records: N,
    phases,
    speedUp: before && after ? round(after / before, 2) : null,
    transitionSeconds: phases[1].seconds,
    totalSeconds: round((events.end - (kind === 'join' ? events.stable1 : events.stable2)) / 1000, 2),
    output: { records: back.records, distinctEventIds: back.distinct, duplicates: back.duplicates, missing: N - back.distinct, undecodable: back.undecodable },
    stall,
    maxBacklogPerPartition: opts.maxBacklog ?? 'runtime default',
    leaver: kind === 'leave' ? (stopOutcome ? { exit: stopOutcome.signal ? `signal ${stopOutcome.signal}` : `code ${stopOutcome.code}`, shutdownMs: stopOutcome.ms } : { exit: 'not reached (stalled before the leave point)', shutdownMs: null }) : undefined,
    logs: Object.fromEntries(Object.entries(instances).map(([k, c]) => [k, c.logFile])),
  };
  log(
    `scenario ${kind}: ${before} → ${after} rec/s (×${result.speedUp}); output ${back.records} records, ${back.distinct} distinct ids, ${back.duplicates} duplicates, ${result.output.missing} missing`,
  );
  return result;
}

export function markdown(s) {
  const pct = (x) => (x === null || x === undefined ? 'n/a' : `${Math.round(x * 100)} %`);
  const lines = [`### Spine scale benchmark — ${s.date.slice(0, 10)}, inference, ${fmt(s.params.records)} records per scenario, ${s.params.partitions} partitions`, ''];
  lines.push('| Scenario | Phase | seconds | records | records/s | instance CPU (cores busy) | records per instance CPU-s | Kafka (cores) | machine idle |', '|---|---|---|---|---|---|---|---|---|');
  for (const r of s.scenarios) {
    for (const p of r.phases) {
      const cpu = Object.entries(p.instances)
        .filter(([, v]) => v.cpuSeconds)
        .map(([k, v]) => `${k}: ${fmt(v.cpuSeconds, 1)} s (${fmt(v.coresBusy, 2)})`)
        .join(', ');
      const cpuTotal = Object.values(p.instances).reduce((a, v) => a + (v.cpuSeconds ?? 0), 0);
      lines.push(`| ${r.scenario} | ${p.name} | ${fmt(p.seconds, 1)} | ${fmt(p.records)} | **${fmt(p.recordsPerSecond)}** | ${cpu || 'n/a'} | ${cpuTotal ? fmt(p.records / cpuTotal) : 'n/a'} | ${fmt(p.kafkaCoresBusy, 2)} | ${pct(p.machineIdle)} |`);
    }
  }
  lines.push('', '| Scenario | rate before → after | speed-up | transition | output records | distinct event ids | duplicates | missing | leaver |', '|---|---|---|---|---|---|---|---|---|');
  for (const r of s.scenarios) {
    lines.push(
      `| ${r.scenario}${r.stall ? ' (**stalled**)' : ''} | ${fmt(r.phases[0].recordsPerSecond)} → ${fmt(r.phases[2].recordsPerSecond)} rec/s | ${r.speedUp === null ? 'n/a' : `**${fmt(r.speedUp, 2)}×**`} | ${fmt(r.transitionSeconds, 1)} s | ${fmt(r.output.records)} | ${fmt(r.output.distinctEventIds)} | **${fmt(r.output.duplicates)}** | ${fmt(r.output.missing)}${r.stall && r.output.missing ? ' (never processed: stalled)' : ''} | ${r.leaver ? `${r.leaver.exit}${r.leaver.shutdownMs === null ? '' : `, ${fmt(r.leaver.shutdownMs)} ms`}` : ''} |`,
    );
  }
  for (const r of s.scenarios.filter((x) => x.stall)) {
    lines.push(
      '',
      `**${r.scenario}: STALLED** — ${r.stall.message}. Partitions behind: ${r.stall.partitions.map((p) => `${p.partition} (committed ${fmt(p.committed)} of ${fmt(p.end)}, owner instance ${p.owner})`).join(', ')}. ` +
        `Logs: ${Object.values(r.logs).join(', ')}.`,
    );
  }
  lines.push(
    '',
    `Instances: node apps/inference/dist/main.js, SPINE_MAX_BACKLOG_PER_PARTITION ${s.params.maxBacklog ?? 'unset (runtime default)'}.`,
    `Machine: ${s.machine.cores} cores ${s.machine.cpuModel}, ${fmt(s.machine.memoryGB, 1)} GB RAM, Node ${s.machine.node}, ${s.machine.os}; load average at start ${s.machine.loadAverage.join(' / ')}.`,
    'Rates from the output topic\'s high watermarks (sampled every 150 ms); "join": the second instance is started at the join point, so its boot (Node, Nest, model load) falls into the transition; ' +
      '"leave": SIGTERM, the instance finishes its in-flight records, commits and leaves the group. Machine idle = idle share of all cores from /proc/stat: ' +
      'two instances cannot run twice as fast when the cores are already busy (Kafka, PostgreSQL, the bench itself and anything else on the machine share them).',
  );
  return lines.join('\n');
}

export async function main(args) {
  const opts = await options(args);
  const env = stackEnv();
  const cleanup = new Cleanup();
  const progress = new Progress().start();
  const stack = await connectStack(env, 'spine-bench-scale');
  const date = new Date().toISOString();
  const loadAverage = os.loadavg().map((x) => round(x, 2));
  const results = [];
  try {
    for (const kind of opts.scenarios) results.push(await scenario(kind, opts, stack, cleanup, progress));
  } finally {
    progress.status = () => 'cleaning up: stopping instances, deleting topics, groups and subjects';
    await cleanup.run();
    await stack.close();
    progress.stop();
  }
  const summary = {
    mode: 'scale',
    date,
    params: { records: opts.records, scenarios: opts.scenarios, joinAt: opts.joinAt, leaveAt: opts.leaveAt, partitions: opts.partitions, customers: opts.customers, maxBacklog: opts.maxBacklog },
    scenarios: results,
    machine: machine({ os: `${os.type()} ${os.release()} ${os.arch()}`, loadAverage }),
  };
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  else console.log(`\n${markdown(summary)}`);
  if (results.some((r) => r.output.missing > 0 || r.stall)) process.exitCode = 1;
}
