import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { ModelControl, type ChangeBy, type ModelVersionView } from '@spine/model-lifecycle';
import { spinePlatform } from '@spine/platform';
import type { ModelControlEvent, ModelGuard, ModelSplit, StageRouting } from '@spine/schemas';
import { progress, requireOption, UsageError } from '../args.js';

type Options = Record<string, string | true>;

const SUBCOMMANDS = 'list | register | promote | split | ramp | rollback | shadow | cascade | guard | history';

/**
 * Model versions and their routing per stage, on the model control topic:
 * `spine-cli models list|register|promote|split|ramp|rollback|shadow|cascade|guard|history [options]`.
 */
export async function modelsCommand(args: readonly string[], options: Options): Promise<void> {
  const sub = args[0];
  const run = sub ? handlers[sub] : undefined;
  if (!run) throw new UsageError(`models ${SUBCOMMANDS} (e.g. spine-cli models list)${sub ? `; unknown subcommand "${sub}"` : ''}`);
  // Validate every argument before touching Kafka, so a typo fails fast.
  const action = run(options);
  progress('reading the model control topic');
  const control = await ModelControl.fromEnv({ clientId: 'spine-cli-models' });
  await control.start();
  try {
    await action(control);
  } finally {
    await control.stop();
  }
}

/** Who the CLI records as the author of a change: SPINE_OPERATOR, else `cli:<os user>@<host>`. */
export function operatorActor(): string {
  if (process.env.SPINE_OPERATOR) return process.env.SPINE_OPERATOR;
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `cli:${user}@${hostname()}`;
}

type Action = (control: ModelControl) => Promise<void>;

const handlers: Record<string, (options: Options) => Action> = {
  list: (o) => {
    const stages = stagesOf(o);
    return async (control) => printList(control, stages, Boolean(o.json));
  },
  history: (o) => {
    const stage = optionalString(o, 'stage', '--stage fraud-scoring');
    const limit = o.limit === undefined ? 20 : positiveInteger(o, 'limit', '--limit 20');
    return async (control) => printHistory(control.history(stage, limit), Boolean(o.json));
  },
  register: (o) => {
    const model = requireOption(o, 'model', '--model fraud-lr');
    const version = requireOption(o, 'version', '--version 2.0.0');
    const registration = {
      ...by(o),
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
      ...(o['cache-ttl-ms'] !== undefined ? { cacheTtlMs: nonNegative(o, 'cache-ttl-ms', '--cache-ttl-ms 60000') } : {}),
      ...(o['cost-per-call'] !== undefined ? { costPerCall: nonNegative(o, 'cost-per-call', '--cost-per-call 0.0001') } : {}),
      ...(o['cost-per-1k-tokens'] !== undefined ? { costPerThousandTokens: nonNegative(o, 'cost-per-1k-tokens', '--cost-per-1k-tokens 0.002') } : {}),
    };
    const adapterSource = adapterSourceOf(o);
    return async (control) => {
      const adapter = parseAdapter(await adapterSource());
      await control.register(model, version, adapter, registration);
      const view = control.versions(model).find((v) => v.version === version);
      process.stdout.write(`registered ${model} ${version}: ${view ? describeAdapter(view) : '?'}\n`);
    };
  },
  promote: (o) => {
    const [stage, version] = [stageOf(o), requireOption(o, 'version', '--version 2.0.0')];
    return change(stage, (c) => c.promote(stage, version, by(o)));
  },
  split: (o) => {
    const stage = stageOf(o);
    const splits = splitsOf(requireOption(o, 'arms', '--arms 2.0.0=50[,3.0.0=10] or --arms none'));
    return change(stage, (c) => c.split(stage, splits, by(o)));
  },
  ramp: (o) => {
    const [stage, version] = [stageOf(o), requireOption(o, 'version', '--version 2.0.0')];
    const steps = numberList(requireOption(o, 'steps', '--steps 5,25,50,100'), 'steps', '--steps 5,25,50,100');
    const stepIntervalMs = durationMs(requireOption(o, 'interval', '--interval 10m (or 60s, 5000 ms)'), 'interval', '--interval 10m');
    return change(stage, (c) => c.ramp(stage, version, { steps, stepIntervalMs }, by(o)));
  },
  rollback: (o) => {
    const stage = stageOf(o);
    const version = optionalString(o, 'version', '--version 2.0.0');
    return change(stage, (c) => c.rollback(stage, { ...by(o), ...(version !== undefined ? { version } : {}) }));
  },
  shadow: (o) => {
    const stage = stageOf(o);
    const list = requireOption(o, 'versions', '--versions 2.0.0,3.0.0 or --versions none');
    const versions = list === 'none' ? [] : list.split(',').map((v) => v.trim()).filter(Boolean);
    return change(stage, (c) => c.shadow(stage, versions, by(o)));
  },
  cascade: (o) => {
    const stage = stageOf(o);
    if (o.off) return change(stage, (c) => c.cascade(stage, null, by(o)));
    const version = requireOption(o, 'version', '--version 2.0.0 --below 0.7 (or --off)');
    const belowConfidence = numberOf(requireOption(o, 'below', '--below 0.7'), 'below', '--below 0.7');
    return change(stage, (c) => c.cascade(stage, { version, belowConfidence }, by(o)));
  },
  guard: (o) => {
    const stage = stageOf(o);
    const guard = guardOf(o);
    if (!Object.keys(guard).length) throw new UsageError('models guard needs at least one bound, e.g. --window 60s --min-calls 20 --max-error-rate 0.1 --max-timeout-rate 0.1 --max-p95 2s --min-agreement 0.9 --max-output-shift 0.25');
    return change(stage, (c) => c.guard(stage, guard, by(o)));
  },
};

/** A routing change, then the stage's new routing in one or two lines. */
function change(stage: string, apply: (control: ModelControl) => Promise<ModelControlEvent>): Action {
  return async (control) => {
    const event = await apply(control);
    process.stdout.write(`${stage}: ${event.change.action.toLowerCase()} done\n${routingLine(control.routing(stage))}\n`);
  };
}

function by(o: Options): ChangeBy {
  const reason = optionalString(o, 'reason', '--reason "canary looked good"');
  return { actor: operatorActor(), ...(reason !== undefined ? { reason } : {}) };
}

// ---- arguments ----

function modelStageNames(): string[] {
  return spinePlatform.modelStages.map((s) => s.name);
}

function stageOf(o: Options): string {
  const stage = requireOption(o, 'stage', `--stage ${modelStageNames()[0] ?? '<stage>'} (model stages: ${modelStageNames().join(', ')})`);
  if (!modelStageNames().includes(stage)) throw new UsageError(`--stage: "${stage}" serves no model; model stages: ${modelStageNames().join(', ')}`);
  return stage;
}

function stagesOf(o: Options): string[] {
  return o.stage === undefined ? modelStageNames() : [stageOf(o)];
}

function optionalString(o: Options, name: string, example: string): string | undefined {
  const value = o[name];
  if (value === undefined) return undefined;
  if (value === true || !value) throw new UsageError(`--${name} needs a value, e.g. ${example}`);
  return value;
}

function numberOf(text: string, name: string, example: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${text}" (e.g. ${example})`);
  return value;
}

function nonNegative(o: Options, name: string, example: string): number {
  const value = numberOf(requireOption(o, name, example), name, example);
  if (value < 0) throw new UsageError(`--${name} must not be negative, got ${value} (e.g. ${example})`);
  return value;
}

function positiveInteger(o: Options, name: string, example: string): number {
  const value = numberOf(requireOption(o, name, example), name, example);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got ${value} (e.g. ${example})`);
  return value;
}

function numberList(text: string, name: string, example: string): number[] {
  return text.split(',').map((part) => numberOf(part, name, example));
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `10m`, `60s`, `1.5h`, `250ms` or plain milliseconds (`5000`). */
export function durationMs(text: string, name: string, example: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${name} must be a duration like 10m, 60s, 250ms or 5000 (ms), got "${text}" (e.g. ${example})`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!);
}

/** `2.0.0=50,3.0.0=10`, or `none` for no arms. */
function splitsOf(text: string): ModelSplit[] {
  if (text === 'none') return [];
  return text.split(',').map((part) => {
    const [version, percent] = part.split('=') as [string, string | undefined];
    if (!version || percent === undefined) throw new UsageError(`--arms: "${part}" is not <version>=<percent> (e.g. --arms 2.0.0=50,3.0.0=10, or --arms none)`);
    return { version: version.trim(), percent: numberOf(percent, 'arms', '--arms 2.0.0=50') };
  });
}

const GUARD_OPTIONS: ReadonlyArray<{ option: string; field: keyof ModelGuard; duration?: true; example: string }> = [
  { option: 'window', field: 'windowMs', duration: true, example: '--window 60s' },
  { option: 'min-calls', field: 'minCalls', example: '--min-calls 20' },
  { option: 'max-error-rate', field: 'maxErrorRate', example: '--max-error-rate 0.1' },
  { option: 'max-timeout-rate', field: 'maxTimeoutRate', example: '--max-timeout-rate 0.1' },
  { option: 'max-p95', field: 'maxLatencyP95Ms', duration: true, example: '--max-p95 2s' },
  { option: 'min-agreement', field: 'minAgreement', example: '--min-agreement 0.9' },
  { option: 'max-output-shift', field: 'maxOutputShift', example: '--max-output-shift 0.25' },
];

function guardOf(o: Options): Partial<ModelGuard> {
  const guard: Partial<ModelGuard> = {};
  for (const { option, field, duration, example } of GUARD_OPTIONS) {
    if (o[option] === undefined) continue;
    const text = requireOption(o, option, example);
    guard[field] = duration ? durationMs(text, option, example) : numberOf(text, option, example);
  }
  return guard;
}

function adapterSourceOf(o: Options): () => Promise<{ text: string; from: string }> {
  const inline = o.adapter;
  const file = o['adapter-file'];
  const example = `--adapter '{"kind":"onnx","path":"libs/fraud-model/models/fraud-lr-1.0.0.onnx","output":"probabilities"}' or --adapter-file adapter.json`;
  if ((inline === undefined) === (file === undefined)) throw new UsageError(`give exactly one of --adapter or --adapter-file: ${example}`);
  if (inline !== undefined) {
    const text = requireOption(o, 'adapter', example);
    return async () => ({ text, from: '--adapter' });
  }
  const path = requireOption(o, 'adapter-file', '--adapter-file adapter.json');
  return async () => {
    try {
      return { text: await readFile(path, 'utf8'), from: `--adapter-file ${path}` };
    } catch (error) {
      throw new UsageError(`--adapter-file: cannot read ${path}: ${(error as Error).message}`);
    }
  };
}

function parseAdapter({ text, from }: { text: string; from: string }): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${from} is not JSON: ${(error as Error).message} (e.g. --adapter '{"kind":"onnx","path":"model.onnx","output":"probabilities"}')`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${from} must be a JSON object with a "kind" (e.g. {"kind":"onnx",...})`);
  return parsed as Record<string, unknown>;
}

// ---- output ----

/** What `models list --json` prints per model stage. */
export interface StageModelsView {
  readonly stage: string;
  readonly model: string;
  readonly routing: StageRouting;
  readonly versions: readonly ModelVersionView[];
}

function printList(control: ModelControl, stages: readonly string[], json: boolean): void {
  const views: StageModelsView[] = stages.map((stage) => {
    const model = spinePlatform.modelStages.find((s) => s.name === stage)!.model!.name;
    return { stage, model, routing: control.routing(stage), versions: control.versions(model) };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(views, null, 2)}\n`);
    return;
  }
  for (const view of views) {
    process.stdout.write(`${view.stage} (model ${view.model})\n  ${routingLine(view.routing).replace('\n', '\n  ')}\n`);
    process.stdout.write(`  ${'VERSION'.padEnd(12)} ${'ADAPTER'.padEnd(56)} ${'CACHE TTL'.padEnd(10)} ${'COST/CALL'.padEnd(10)} ${'COST/1K TOK'.padEnd(11)} SOURCE\n`);
    for (const v of view.versions) {
      process.stdout.write(`  ${v.version.padEnd(12)} ${describeAdapter(v).padEnd(56)} ${(v.cacheTtlMs ? `${v.cacheTtlMs}ms` : '-').padEnd(10)} ${String(v.costPerCall || '-').padEnd(10)} ${String(v.costPerThousandTokens || '-').padEnd(11)} ${v.builtIn ? 'built-in' : 'registered'}\n`);
    }
  }
}

/** A routing in two lines: who serves, then the guard's bounds. */
export function routingLine(r: StageRouting): string {
  const parts = [`revision ${r.revision}`, `champion ${r.champion}`, `previous ${r.previousChampion ?? '-'}`];
  parts.push(`arms ${r.splits.length ? r.splits.map((s) => `${s.version}=${s.percent}%`).join(',') : '-'}`);
  parts.push(r.canary ? `canary ${r.canary.version} at ${r.canary.percent}% (steps ${r.canary.steps.join(',')}, every ${r.canary.stepIntervalMs}ms, since ${r.canary.stepStartedAt.toISOString()})` : 'canary -');
  parts.push(`shadows ${r.shadows.length ? r.shadows.join(',') : '-'}`);
  parts.push(`cascade ${r.cascade ? `${r.cascade.version} below ${r.cascade.belowConfidence}` : '-'}`);
  const g = r.guard;
  const guard = `guard: window ${g.windowMs}ms, min calls ${g.minCalls}, max error ${g.maxErrorRate}, max timeout ${g.maxTimeoutRate}, max p95 ${g.maxLatencyP95Ms}ms, min agreement ${g.minAgreement}, max output shift ${g.maxOutputShift}`;
  return `${parts.join(' | ')}\n${guard}`;
}

function describeAdapter(v: ModelVersionView): string {
  const a = v.adapter;
  const target = ['path', 'url', 'baseUrl', 'function', 'model'].map((k) => a[k]).find((x) => typeof x === 'string');
  return `${String(a.kind ?? '?')}${target ? ` ${String(target)}` : ''}`;
}

function printHistory(events: readonly ModelControlEvent[], json: boolean): void {
  const rows = events.map((e) => ({
    at: e.change.at.toISOString(),
    action: e.change.action,
    model: e.model,
    stage: e.stage,
    version: e.change.version,
    actor: e.change.actor,
    automatic: e.change.automatic,
    reason: e.change.reason,
    revision: e.routing?.revision ?? null,
  }));
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (!rows.length) process.stderr.write('no model changes yet\n');
  for (const r of rows) {
    process.stdout.write(`${r.at}  ${r.action.padEnd(9)} ${(r.stage ?? r.model).padEnd(16)} ${(r.version ?? '-').padEnd(12)} by ${r.actor}${r.automatic ? ' (automatic)' : ''}${r.reason ? `  ${r.reason}` : ''}\n`);
  }
}
