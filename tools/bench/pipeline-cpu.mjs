// CPU of every process of a running pipeline, from /proc: Kafka and the registry (the stack's pid files),
// PostgreSQL (every postgres process, reaped backends included), each Spine service, and the bench itself
// (the load generator, reported apart from the pipeline's total).
import { fmt, round } from '../lib/stats.mjs';
import { CpuSampler, cpuSeconds, postgresCpu, stackPids } from './proc.mjs';
import { PIPELINE } from './services.mjs';

/** A sampler over the pipeline's processes; `pipeline.pids()` gives the services. */
export function pipelineSampler(pipeline, everyMs = 500) {
  const counters = {};
  const pids = {};
  for (const [name, pid] of Object.entries(stackPids())) {
    counters[name] = () => cpuSeconds(pid);
    pids[name] = pid;
  }
  let pgProcesses = 0;
  counters.postgresql = () => {
    const pg = postgresCpu();
    if (pg) pgProcesses = Math.max(pgProcesses, pg.processes);
    return pg?.seconds ?? null;
  };
  for (const [name, pid] of Object.entries(pipeline.pids())) {
    counters[`service:${name}`] = () => cpuSeconds(pid);
    pids[`service:${name}`] = pid;
  }
  counters.$bench = () => cpuSeconds(process.pid);
  const sampler = new CpuSampler(counters, everyMs);
  sampler.pids = pids;
  sampler.pgProcesses = () => pgProcesses;
  return sampler;
}

/** CPU per process between wall times t0 and t1, as seconds, ms per event and share of the pipeline's total. */
export function cpuBreakdown(sampler, t0, t1, events) {
  const rows = [];
  for (const name of Object.keys(sampler.counters)) {
    if (name === '$bench') continue;
    const seconds = sampler.between(name, t0, t1);
    if (seconds === null) continue;
    const service = name.startsWith('service:') ? name.slice(8) : null;
    rows.push({
      process: service ?? name,
      kind: service ? (PIPELINE.includes(service) ? 'service' : 'other service') : 'stack',
      pid: sampler.pids[name] ?? null,
      processes: name === 'postgresql' ? sampler.pgProcesses() : 1,
      cpuSeconds: seconds,
    });
  }
  const total = rows.reduce((a, r) => a + r.cpuSeconds, 0);
  for (const r of rows) {
    r.msPerEvent = round((r.cpuSeconds * 1000) / events, 3);
    r.share = total ? round(r.cpuSeconds / total, 3) : null;
    r.cpuSeconds = round(r.cpuSeconds, 2);
  }
  rows.sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const bench = sampler.between('$bench', t0, t1);
  return {
    seconds: round((t1 - t0) / 1000, 3),
    events,
    processes: rows,
    total: { cpuSeconds: round(total, 2), msPerEvent: round((total * 1000) / events, 3), coresBusy: round(total / ((t1 - t0) / 1000), 2) },
    loadGenerator: { cpuSeconds: round(bench, 2), msPerEvent: round((bench * 1000) / events, 3) },
    machineIdle: round(sampler.idleBetween(t0, t1), 3),
  };
}

export function cpuMarkdown(cpu, title = 'CPU per event') {
  const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)} %`);
  const lines = [
    `| ${title}: process | pid | CPU s | ms CPU per event | share |`,
    '|---|---|---|---|---|',
    ...cpu.processes.map(
      (r) => `| ${r.process}${r.kind === 'stack' ? '' : r.kind === 'service' ? ' (Spine)' : ' (Spine, not on ingestion → sink)'}${r.processes > 1 ? ` (${r.processes} processes)` : ''} | ${r.pid ?? 'by name'} | ${fmt(r.cpuSeconds, 2)} | ${fmt(r.msPerEvent, 3)} | ${pct(r.share)} |`,
    ),
    `| **pipeline total** | | **${fmt(cpu.total.cpuSeconds, 2)}** | **${fmt(cpu.total.msPerEvent, 3)}** | 100 % (${fmt(cpu.total.coresBusy, 2)} cores busy) |`,
    `| load generator (this bench; not in the total) | ${process.pid} | ${fmt(cpu.loadGenerator.cpuSeconds, 2)} | ${fmt(cpu.loadGenerator.msPerEvent, 3)} | |`,
  ];
  return lines.join('\n');
}
