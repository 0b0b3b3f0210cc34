// CPU accounting from /proc (Linux): per-process CPU seconds (utime + stime), PostgreSQL as a whole (the
// postmaster, its live children and the children it already reaped), the machine's idle share (/proc/stat),
// and a sampler that interpolates any of them at a given wall-clock time.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../lib/local-platform.mjs';

let ticks;
/** Clock ticks per second of /proc's time fields (USER_HZ, nearly always 100). */
export function clockTicks() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** Parsed /proc/<pid>/stat, or null when the process is gone. Times in seconds. */
export function procStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' '); // f[0] = state (field 3)
  const hz = clockTicks();
  return {
    pid,
    comm,
    ppid: Number(f[1]),
    self: (Number(f[11]) + Number(f[12])) / hz, // utime + stime (fields 14, 15)
    system: Number(f[12]) / hz, // stime: in the kernel (syscalls: sockets, ...)
    children: (Number(f[13]) + Number(f[14])) / hz, // cutime + cstime: children it waited for (fields 16, 17)
    startTicks: Number(f[19]), // field 22: identifies this process across pid reuse
  };
}

/** CPU seconds a process has used so far (its threads included), or null when it is gone. */
export function cpuSeconds(pid) {
  return procStat(pid)?.self ?? null;
}

/** Kernel-mode CPU seconds (stime) of a process so far, or null when it is gone. */
export function systemSeconds(pid) {
  return procStat(pid)?.system ?? null;
}

/** Every live process as procStat entries. */
export function allProcs() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/**
 * PostgreSQL's CPU so far: the postmaster, its live children (backends, checkpointer, walwriter, ...) and the
 * children it already reaped (cutime/cstime), so backends that come and go during a run are counted.
 * Finds the postmaster by name (a `postgres` process whose parent is not one); the stack's pid file first.
 */
export function postgresCpu() {
  const procs = allProcs();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  let master = null;
  try {
    const pid = Number(readFileSync(join(STATE_DIR, 'pids', 'postgres.pid'), 'utf8').trim());
    if (byPid.get(pid)?.comm.startsWith('postgres')) master = byPid.get(pid);
  } catch {
    /* by name below */
  }
  const isPg = (p) => p.comm === 'postgres' || p.comm.startsWith('postgres:') || p.comm === 'postmaster';
  const masters = master ? [master] : procs.filter((p) => isPg(p) && !isPg(byPid.get(p.ppid) ?? { comm: '' }));
  if (!masters.length) return null;
  let total = 0;
  let processes = 0;
  for (const m of masters) {
    total += m.self + m.children;
    processes++;
    for (const p of procs) {
      if (p.ppid === m.pid) {
        total += p.self;
        processes++;
      }
    }
  }
  return { seconds: total, processes };
}

/** Jiffies of the whole machine from /proc/stat: total and idle (idle + iowait), in seconds. */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('cpu '));
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const hz = clockTicks();
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return { total: total / hz, idle: (v[3] + (v[4] ?? 0)) / hz };
}

/** Idle share (0..1) of the machine between two machineCpu() readings. */
export function idleShare(a, b) {
  const total = b.total - a.total;
  return total > 0 ? (b.idle - a.idle) / total : null;
}

/** The stack's Kafka and registry pids from $SPINE_STATE_DIR/pids (scripts/stack/common.sh), when alive. */
export function stackPids() {
  const out = {};
  for (const name of ['kafka', 'registry']) {
    try {
      const pid = Number(readFileSync(join(STATE_DIR, 'pids', `${name}.pid`), 'utf8').trim());
      if (pid && procStat(pid)) out[name] = pid;
    } catch {
      /* not running from this state dir */
    }
  }
  return out;
}

/**
 * Samples named CPU counters (functions returning seconds, or null) every `everyMs`, with wall-clock stamps
 * (Date.now(), so they line up with Kafka record timestamps), and interpolates them at any time in between.
 */
export class CpuSampler {
  #timer = null;
  samples = []; // { t, values: { name: seconds|null }, machine }

  constructor(counters, everyMs = 100) {
    this.counters = counters;
    this.everyMs = everyMs;
  }

  sample() {
    const values = {};
    for (const [name, fn] of Object.entries(this.counters)) {
      try {
        values[name] = fn();
      } catch {
        values[name] = null;
      }
    }
    const s = { t: Date.now(), values, machine: machineCpu() };
    this.samples.push(s);
    return s;
  }

  start() {
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.everyMs);
    this.#timer.unref();
    return this;
  }

  stop() {
    clearInterval(this.#timer);
    this.sample();
  }

  /** Adds a counter from now on (a process started later). */
  add(name, fn) {
    this.counters[name] = fn;
  }

  /** A counter's value at wall time t, linearly interpolated between the samples around it (null when unknown). */
  at(name, t) {
    const pick = (s) => (name === '$idle' ? s.machine.idle : name === '$total' ? s.machine.total : s.values[name]);
    const known = this.samples.filter((s) => pick(s) !== null && pick(s) !== undefined);
    if (!known.length) return null;
    if (t <= known[0].t) return pick(known[0]);
    for (let i = 1; i < known.length; i++) {
      const a = known[i - 1];
      const b = known[i];
      if (t <= b.t) return pick(a) + ((pick(b) - pick(a)) * (t - a.t)) / Math.max(1, b.t - a.t);
    }
    return pick(known.at(-1));
  }

  /** CPU seconds of a counter between wall times t0 and t1. */
  between(name, t0, t1) {
    const a = this.at(name, t0);
    const b = this.at(name, t1);
    return a === null || b === null ? null : b - a;
  }

  /** The machine's idle share between wall times t0 and t1 (0..1). */
  idleBetween(t0, t1) {
    const total = this.between('$total', t0, t1);
    const idle = this.between('$idle', t0, t1);
    return total && idle !== null ? idle / total : null;
  }
}
