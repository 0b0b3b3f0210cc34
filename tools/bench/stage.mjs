// ./spine bench --mode stage: what the stage runtime costs against a raw kafkajs loop doing the same work.
// Pre-fills N real records on a unique prefix, then drains them with, one after the other, as separate processes:
//   raw    tools/bench/raw-stage.mjs: kafkajs eachBatch -> decode -> the same handler -> encode -> sendBatch(acks=all,
//          idempotent) -> commitOffsets, its own group and output topic;
//   spine  the Spine service (node apps/<service>/dist/main.js) on the prefix, its own group (spine.<stage>).
// Each is timed from its group becoming Stable (consumption starts) to the timestamp of its last output record;
// its CPU is read from /proc/<pid>/stat (utime+stime), sampled every 200 ms and interpolated at those two instants.
import os from 'node:os';
import { supportTriage, topicsUsedBy } from '@spine/platform';
import { requireSchema } from '@spine/schemas';
import { groupIdOf, subjectFor } from '@spine/topology';
import { fmt, machine, round } from '../lib/stats.mjs';
import { Child } from './children.mjs';
import { BenchError, Cleanup, Progress, intListOption, listOption, log, parseModeArgs, stackEnv, uniquePrefix, uniqueSqlName } from './common.mjs';
import { committedTotal, connectStack, groupState, provisionPrefix, readBack, topicEnds } from './platform.mjs';
import { prefill } from './prefill.mjs';
import { CpuSampler, cpuSeconds, postgresCpu, stackPids, systemSeconds } from './proc.mjs';
import { dropSchema, serviceScript } from './services.mjs';
import { enrichedMessage, receivedMessage } from './workload.mjs';

export const USAGE = `usage: ./spine bench --mode stage [options]      (node tools/bench.mjs --mode stage ...)
Runtime overhead of a Spine stage against a raw kafkajs loop doing the same work, on the same records.
Pre-fills N real Avro records on a unique prefix (topics, subjects, groups and database schemas deleted
afterwards), then drains them with a raw kafkajs eachBatch loop (tools/bench/raw-stage.mjs: decode -> same
handler -> encode -> sendBatch acks=all, idempotent -> commit) and with the Spine service, one after the other,
each a separate process. Reports records/s, the process's CPU seconds (/proc), records per CPU-second and
the ratios Spine/raw. Needs the local stack (./spine stack up), not ./spine up.
  --records N      records to pre-fill and drain per stage (default 40000)
  --stages LIST    inference, enrichment (default inference,enrichment); enrichment's handler is the feature
                   store (PostgreSQL), once per fetched batch in the raw loop, per micro-batch in Spine
  --rounds R       repeat the pair R times, alternating who goes first; ratios per round and their median (default 1)
  --customers K    distinct customers (record keys) (default 200)
  --partitions P   partitions of the bench topics (default 6, as SPINE_TOPIC_PARTITIONS)
  --timeout S      deadline per drain in seconds (default 60 + N/100)
  --json           print the summary as JSON
Consumer tuning is the runtime's (SPINE_FETCH_MIN_BYTES, SPINE_FETCH_MAX_WAIT_MS, ... from the environment) for both.
To profile the contenders: SPINE_BENCH_CHILD_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" (every mode's children).`;

const OPTIONS = {
  records: { type: 'string', default: '40000' },
  stages: { type: 'string', default: 'inference,enrichment' },
  rounds: { type: 'string', default: '1' },
  customers: { type: 'string', default: '200' },
  partitions: { type: 'string', default: '6' },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
};

const { topics, stages } = supportTriage;

/** What each stage comparison needs: topics to provision, the input records, where outputs go, how to read ids. */
const STAGES = {
  inference: {
    stage: stages.inference,
    service: 'inference',
    provision: topicsUsedBy(stages.inference),
    input: topics.enrichedMessages,
    output: topics.triageResults,
    make: enrichedMessage,
    keyOf: (v) => v.message.customerId,
    inputIdOf: (v) => v.message.metadata.eventId,
    outputIdOf: (v) => v.metadata.eventId,
    handler: 'triage model classify + toTriageResult, per record',
  },
  enrichment: {
    stage: stages.enrichment,
    service: 'enrichment',
    provision: topicsUsedBy(stages.enrichment),
    input: topics.supportMessages,
    output: topics.enrichedMessages,
    make: receivedMessage,
    keyOf: (v) => v.customerId,
    inputIdOf: (v) => v.metadata.eventId,
    outputIdOf: (v) => v.message.metadata.eventId,
    handler: 'FeatureStore.applyAndReadAll (PostgreSQL): raw once per fetched batch, Spine per micro-batch (≤256)',
    database: true,
  },
};

async function options(args) {
  const v = await parseModeArgs(args, OPTIONS, USAGE);
  const [records] = intListOption(v.records, 100, 2_000_000, 'records');
  const [rounds] = intListOption(v.rounds, 1, 20, 'rounds');
  const [customers] = intListOption(v.customers, 1, 1_000_000, 'customers');
  const [partitions] = intListOption(v.partitions, 1, 64, 'partitions');
  const timeoutS = v.timeout === undefined ? Math.ceil(60 + records / 100) : intListOption(v.timeout, 1, 86_400, 'timeout')[0];
  return { records, rounds, customers, partitions, stages: listOption(v.stages, Object.keys(STAGES), 'stages'), timeoutMs: timeoutS * 1000, json: v.json };
}

/**
 * One contender drains the prefilled input: start its process, wait for its group to be Stable (t0), wait until
 * its committed offsets reach the input's end, stop it, read its outputs back (t1 = last output's timestamp).
 */
async function drain({ stack, cleanup, progress, label, groupId, inputTopic, outputTopic, total, start, outputIdOf, prefix, timeoutMs, database }) {
  // A previous round's group: deleted, so this drain starts from the beginning again (its last member may still be leaving).
  for (let attempt = 0; (await committedTotal(stack.admin, groupId, inputTopic)) > 0; attempt++) {
    if (attempt === 30) throw new BenchError(`group ${groupId} still has committed offsets and cannot be deleted (a member left running?); stop it and run again`);
    await stack.admin.deleteGroups([groupId]).catch(() => {});
    await new Promise((r) => setTimeout(r, 1000));
  }
  const outFrom = (await topicEnds(stack.admin, outputTopic)).byPartition;
  const child = start();
  const kafkaPid = stackPids().kafka;
  const counters = { proc: () => cpuSeconds(child.pid), sys: () => systemSeconds(child.pid) };
  if (kafkaPid) counters.kafka = () => cpuSeconds(kafkaPid);
  if (database) counters.postgres = () => postgresCpu()?.seconds ?? null;
  const sampler = new CpuSampler(counters, 200).start();
  const stop = cleanup.add(`sampler ${label}`, async () => sampler.stop());
  let committed = 0;
  let t0 = null;
  let shutdown;
  let state = { state: 'Dead', members: 0 };
  progress.status = () =>
    t0 === null
      ? `${label}: starting (group ${state.state}, ${state.members} member(s))`
      : `${label}: ${committed.toLocaleString('en-US')}/${total.toLocaleString('en-US')} committed · ${Math.round(committed / Math.max(0.001, (Date.now() - t0) / 1000))} rec/s`;
  try {
    const joinDeadline = Date.now() + 120_000;
    for (;;) {
      cleanup.check();
      child.assertRunning();
      state = await groupState(stack.admin, groupId);
      if (state.state === 'Stable' && state.members > 0) {
        t0 = Date.now();
        break;
      }
      if (Date.now() > joinDeadline) throw new BenchError(`${label} did not join group ${groupId} within 120 s; see ${child.logFile}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = t0 + timeoutMs;
    while (committed < total) {
      cleanup.check();
      child.assertRunning();
      if (Date.now() > deadline) throw new BenchError(`${label} committed only ${committed} of ${total} records within ${timeoutMs / 1000} s; see ${child.logFile} (raise --timeout for slow machines)`);
      await new Promise((r) => setTimeout(r, 100));
      committed = await committedTotal(stack.admin, groupId, inputTopic);
    }
  } finally {
    progress.status = () => `${label}: stopping (SIGTERM)`;
    shutdown = await child.stopNow().catch((err) => ({ error: err.message }));
    await stop();
    progress.status = null;
  }
  const back = await readBack(stack, outputTopic, { from: outFrom, groupPrefix: prefix, eventIdOf: outputIdOf, cleanup });
  const t1 = back.lastTs;
  if (t1 === null || t1 < t0) throw new BenchError(`${label}: no output records after its join; see ${child.logFile}`);
  const seconds = (t1 - t0) / 1000;
  const cpu = sampler.between('proc', t0, t1);
  const result = {
    contender: label,
    groupId,
    outputTopic,
    records: total,
    seconds: round(seconds, 3),
    recordsPerSecond: round(total / seconds),
    cpuSeconds: round(cpu, 2),
    systemCpuSeconds: round(sampler.between('sys', t0, t1), 2),
    recordsPerCpuSecond: cpu ? round(total / cpu) : null,
    cpuUtilisation: round(cpu / seconds, 2), // cores busy on average
    startupSeconds: round((t0 - child.startedAt) / 1000, 2),
    startupCpuSeconds: round(sampler.at('proc', t0), 2),
    kafkaCpuSeconds: round(sampler.between('kafka', t0, t1), 2),
    postgresCpuSeconds: database ? round(sampler.between('postgres', t0, t1), 2) : undefined,
    recordsPerCpuSecondWithPostgres: database && cpu ? round(total / (cpu + sampler.between('postgres', t0, t1))) : undefined,
    machineIdle: round(sampler.idleBetween(t0, t1), 3),
    output: { records: back.records, distinctEventIds: back.distinct, duplicates: back.duplicates, undecodable: back.undecodable, ok: back.distinct === total && back.undecodable === 0 },
    shutdown,
    log: child.logFile,
  };
  log(
    `${label}: ${total} records in ${seconds.toFixed(2)} s = ${result.recordsPerSecond} rec/s; CPU ${cpu?.toFixed(2)} s = ${result.recordsPerCpuSecond} rec/CPU-s; ` +
      `outputs ${back.records} (${back.distinct} distinct)${result.output.ok ? '' : ' — OUTPUT CHECK FAILED'}`,
  );
  return result;
}

async function runStage(key, opts, stack, cleanup, progress) {
  const def = STAGES[key];
  const prefix = uniquePrefix(`stage-${key}`);
  log(`stage ${key}: prefix ${prefix} (${opts.partitions} partitions), ${opts.records} records, handler: ${def.handler}`);
  const prefixed = await provisionPrefix(stack, cleanup, prefix, def.provision, opts.partitions);
  const inputTopic = prefixed.name(def.input);
  const spineOutput = prefixed.name(def.output);
  const rawOutput = await prefixed.createTopic(`${prefix}bench.raw-${key}.out`);
  // The raw loop writes Spine's output schema (same registered ids), to its own topic.
  const outSchema = (part) => stack.registry.lookup(subjectFor(spineOutput, part), requireSchema(stack.catalog, def.output[part]).text);
  const [keySchemaId, valueSchemaId] = await Promise.all([outSchema('key'), outSchema('value')]);
  const fill = await prefill(stack, prefixed, def.input, opts.records, { make: (i) => def.make(i, opts.customers), keyOf: def.keyOf, eventIdOf: def.inputIdOf, progress, cleanup });

  const spineGroup = groupIdOf(def.stage, prefixed.deployment);
  const rounds = [];
  for (let r = 1; r <= opts.rounds; r++) {
    const dbRaw = def.database ? uniqueSqlName(`raw_${key}`) : undefined;
    const dbSpine = def.database ? uniqueSqlName(`spine_${key}`) : undefined;
    for (const schema of [dbRaw, dbSpine].filter(Boolean)) cleanup.add(`drop schema ${schema}`, () => dropSchema(stack.env.DATABASE_URL, schema));
    // Spine's service gets PORT=0 (a port the OS picks): the bench only watches its group and its process.
    const contenders = {
      raw: () =>
        drain({
          stack, cleanup, progress, prefix, label: `raw ${key}${opts.rounds > 1 ? ` r${r}` : ''}`, groupId: `${prefix}bench.raw-${key}.r${r}`, inputTopic, outputTopic: rawOutput, total: opts.records,
          outputIdOf: def.outputIdOf, timeoutMs: opts.timeoutMs, database: def.database,
          start: () =>
            new Child(`raw-${key}-r${r}`, 'tools/bench/raw-stage.mjs', {
              BENCH_STAGE: key, BENCH_INPUT_TOPIC: inputTopic, BENCH_OUTPUT_TOPIC: rawOutput, BENCH_GROUP: `${prefix}bench.raw-${key}.r${r}`,
              BENCH_KEY_SCHEMA_ID: keySchemaId, BENCH_VALUE_SCHEMA_ID: valueSchemaId, BENCH_DB_SCHEMA: dbRaw,
            }, cleanup, { prefix }).start(),
        }),
      spine: () =>
        drain({
          stack, cleanup, progress, prefix, label: `spine ${key}${opts.rounds > 1 ? ` r${r}` : ''}`, groupId: spineGroup, inputTopic, outputTopic: spineOutput, total: opts.records,
          outputIdOf: def.outputIdOf, timeoutMs: opts.timeoutMs, database: def.database,
          start: () => new Child(`${def.service}-r${r}`, serviceScript(def.service), { SPINE_TOPIC_PREFIX: prefix, SPINE_DB_SCHEMA: dbSpine, PORT: 0, HOST: '127.0.0.1' }, cleanup, { prefix }).start(),
        }),
    };
    const order = r % 2 === 1 ? ['raw', 'spine'] : ['spine', 'raw'];
    const result = { round: r, order };
    for (const who of order) result[who] = await contenders[who]();
    result.ratio = {
      recordsPerSecond: round(result.spine.recordsPerSecond / result.raw.recordsPerSecond, 3),
      recordsPerCpuSecond: result.spine.recordsPerCpuSecond && result.raw.recordsPerCpuSecond ? round(result.spine.recordsPerCpuSecond / result.raw.recordsPerCpuSecond, 3) : null,
      recordsPerCpuSecondWithPostgres: result.spine.recordsPerCpuSecondWithPostgres ? round(result.spine.recordsPerCpuSecondWithPostgres / result.raw.recordsPerCpuSecondWithPostgres, 3) : undefined,
    };
    rounds.push(result);
  }
  const median = (xs) => {
    const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : round((s[s.length / 2 - 1] + s[s.length / 2]) / 2, 3)) : null;
  };
  return {
    stage: key,
    prefix,
    handler: def.handler,
    inputTopic,
    outputs: { raw: rawOutput, spine: spineOutput },
    prefill: { records: fill.records, seconds: round(fill.seconds, 2) },
    rounds,
    medianRatio: {
      recordsPerSecond: median(rounds.map((r) => r.ratio.recordsPerSecond)),
      recordsPerCpuSecond: median(rounds.map((r) => r.ratio.recordsPerCpuSecond)),
      recordsPerCpuSecondWithPostgres: def.database ? median(rounds.map((r) => r.ratio.recordsPerCpuSecondWithPostgres)) : undefined,
    },
  };
}

export function markdown(s) {
  const pct = (x) => (x === null || x === undefined ? 'n/a' : `${Math.round(x * 100)} %`);
  const withPg = (x) => (x === undefined || x === null ? '' : ` (with PostgreSQL ${fmt(x, 2)}×)`);
  const lines = [
    `### Spine stage benchmark — ${s.date.slice(0, 10)}, ${fmt(s.params.records)} records per stage, ${s.params.partitions} partitions`,
    '',
    '| Stage | Run | Contender | records/s | CPU s (process; of it kernel) | records per CPU-s | cores busy | Kafka CPU s | machine idle | outputs (distinct ids) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const st of s.stages) {
    for (const r of st.rounds) {
      for (const who of ['raw', 'spine']) {
        const c = r[who];
        const name = who === 'raw' ? 'raw kafkajs eachBatch' : `Spine ${st.stage} service`;
        const pg = c.postgresCpuSeconds !== undefined ? ` + PostgreSQL ${fmt(c.postgresCpuSeconds, 1)} s` : '';
        const perCpuPg = c.recordsPerCpuSecondWithPostgres !== undefined ? ` (with PostgreSQL ${fmt(c.recordsPerCpuSecondWithPostgres)})` : '';
        lines.push(
          `| ${st.stage} | ${r.round}${r.order[0] === who ? ' (1st)' : ''} | ${name} | ${fmt(c.recordsPerSecond)} | ${fmt(c.cpuSeconds, 2)} (${fmt(c.systemCpuSeconds, 2)})${pg} | ${fmt(c.recordsPerCpuSecond)}${perCpuPg} | ${fmt(c.cpuUtilisation, 2)} | ${fmt(c.kafkaCpuSeconds, 1)} | ${pct(c.machineIdle)} | ${fmt(c.output.records)} (${fmt(c.output.distinctEventIds)})${c.output.ok ? '' : ' **CHECK FAILED**'} |`,
        );
      }
      lines.push(`| ${st.stage} | ${r.round} | **Spine / raw** | **${fmt(r.ratio.recordsPerSecond, 2)}×** | | **${fmt(r.ratio.recordsPerCpuSecond, 2)}×**${withPg(r.ratio.recordsPerCpuSecondWithPostgres)} | | | | |`);
    }
    if (st.rounds.length > 1) lines.push(`| ${st.stage} | median | **Spine / raw** | **${fmt(st.medianRatio.recordsPerSecond, 2)}×** | | **${fmt(st.medianRatio.recordsPerCpuSecond, 2)}×**${withPg(st.medianRatio.recordsPerCpuSecondWithPostgres)} | | | | |`);
  }
  lines.push(
    '',
    `Machine: ${s.machine.cores} cores ${s.machine.cpuModel}, ${fmt(s.machine.memoryGB, 1)} GB RAM, Node ${s.machine.node}, ${s.machine.os}; load average at start ${s.machine.loadAverage.join(' / ')}.`,
    `Each contender is a separate process draining the same pre-filled records (${s.stages.map((st) => `${st.stage}: ${st.inputTopic}`).join('; ')}), timed from its consumer group becoming Stable to its last output record's timestamp; CPU = utime+stime of that process from /proc, interpolated at those instants. ` +
      '"cores busy" = CPU s / wall s. Kafka CPU is the whole broker (shared with anything else on the machine), PostgreSQL the whole server.',
    ...s.stages.map((st) => `${st.stage}: ${st.handler}.`),
  );
  return lines.join('\n');
}

export async function main(args) {
  const opts = await options(args);
  const env = stackEnv();
  const cleanup = new Cleanup();
  const progress = new Progress().start();
  const stack = await connectStack(env, 'spine-bench-stage');
  const date = new Date().toISOString();
  const loadAverage = os.loadavg().map((x) => round(x, 2));
  let summary;
  try {
    const results = [];
    for (const key of opts.stages) results.push(await runStage(key, opts, stack, cleanup, progress));
    summary = {
      mode: 'stage',
      date,
      params: { records: opts.records, stages: opts.stages, rounds: opts.rounds, customers: opts.customers, partitions: opts.partitions },
      stages: results,
      machine: machine({ os: `${os.type()} ${os.release()} ${os.arch()}`, loadAverage }),
    };
  } finally {
    progress.status = () => 'cleaning up: stopping processes, deleting topics, groups, subjects and schemas';
    const problems = await cleanup.run();
    await stack.close();
    progress.stop();
    if (summary) summary.cleanupProblems = problems;
  }
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  else console.log(`\n${markdown(summary)}`);
  if (summary.stages.some((st) => st.rounds.some((r) => !r.raw.output.ok || !r.spine.output.ok))) process.exitCode = 1;
}

