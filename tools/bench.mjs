#!/usr/bin/env node
// ./spine bench: benchmarks of Spine (not tests). One mode per file under tools/bench/:
//   burst      (default) N events over HTTP through the running pipeline of ./spine up: throughput, latency
//              received -> stored, CPU per event of every pipeline process            tools/bench/burst.mjs
//   stage      a raw kafkajs loop vs the Spine service on the same pre-filled records: records/s, CPU,
//              records per CPU-second, Spine/raw                                       tools/bench/stage.mjs
//   open-loop  single events at a fixed rate over HTTP: latency p50/p90/p99, current vs old fetch settings
//                                                                                      tools/bench/open-loop.mjs
//   scale      a second inference instance joins mid-drain, then one leaves (SIGTERM): speed-up, duplicates
//                                                                                      tools/bench/scale.mjs
//   node tools/bench.mjs [--mode burst|stage|open-loop|scale] [mode options] [--json]   (--mode M --help for a mode's options)
// Progress goes to stderr (one line a second); the summary (Markdown, or JSON with --json) to stdout.
import { BenchError } from './bench/common.mjs';

const MODES = {
  burst: './bench/burst.mjs',
  stage: './bench/stage.mjs',
  'open-loop': './bench/open-loop.mjs',
  scale: './bench/scale.mjs',
};

const USAGE = `usage: ./spine bench [--mode burst|stage|open-loop|scale] [options]      (node tools/bench.mjs ...)
  --mode burst      (default) a burst of N events over HTTP through the pipeline of ./spine up (or --pipeline own):
                    ingestion and end-to-end throughput, latency received -> stored, CPU per event per process
  --mode stage      a raw kafkajs eachBatch loop vs the Spine service (inference, enrichment) draining the same
                    pre-filled records, each a separate process: records/s, CPU s, records per CPU-second, Spine/raw
  --mode open-loop  single events at a fixed rate (--rate 200,500 --seconds 30) over HTTP, one per request, to a
                    pipeline the bench starts on its own prefix: latency p50/p90/p99 with the current and the old
                    fetch settings
  --mode scale      pre-filled records drained by one inference instance, a second joins at a third; then two
                    drain and one leaves (SIGTERM): rates before/after, duplicates on the output, machine idle CPU
  ./spine bench --mode <mode> --help   prints that mode's options. Every mode: --json for machine-readable output.
Only the local stack is used (loopback Kafka, registry, PostgreSQL). Modes other than burst start their own
processes on a unique prefix (topics, groups, subjects, database schemas deleted afterwards; logs in
.spine/bench-logs/) and need only the stack (./spine stack up), not ./spine up.`;

function splitMode(argv) {
  const rest = [];
  let mode;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--mode') {
      mode = argv[++i];
      if (mode === undefined) throw new BenchError(`--mode needs a value: ${Object.keys(MODES).join(', ')}`);
    } else if (a.startsWith('--mode=')) mode = a.slice('--mode='.length);
    else rest.push(a);
  }
  return { mode, rest };
}

async function main() {
  // kafkajs 2.2.4 on Node >= 23 schedules throttle timers with negative delays (TimeoutNegativeWarning): harmless, not shown.
  process.removeAllListeners('warning');
  process.on('warning', (w) => w.name !== 'TimeoutNegativeWarning' && process.stderr.write(`node ${w.name}: ${w.message}\n`));
  const { mode, rest } = splitMode(process.argv.slice(2));
  if (mode === undefined && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(USAGE);
    console.log('\nburst (default) options:');
    const burst = await import(MODES.burst);
    console.log(burst.USAGE.split('\n').slice(1).join('\n'));
    return;
  }
  const chosen = mode ?? 'burst';
  if (!(chosen in MODES)) throw new BenchError(`unknown --mode ${chosen}; choose one of ${Object.keys(MODES).join(', ')}`);
  const module = await import(MODES[chosen]);
  await module.main(rest);
}

main()
  .catch((err) => {
    if (err instanceof BenchError || err?.code?.startsWith?.('ERR_PARSE_ARGS')) console.error(`spine bench: ${err.message}`);
    else console.error('spine bench failed:', err);
    process.exitCode = 1;
  })
  // Client libraries keep sockets and timers alive after they are closed; the summary is written, so leave.
  .finally(() => process.exit(process.exitCode ?? 0));
