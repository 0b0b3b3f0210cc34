import type avro from 'avsc';
import { describeNode, FLOAT_MAX, INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, modelOf, type CodecType, type NodeOf, type RecordNode, type StringRules, type TypeNode, type UnionBranch } from './avro-model.js';
import type { FieldIssue } from './errors.js';

/**
 * JSON <-> Avro values, generic over any avsc type.
 *
 * `fromJson` turns parsed JSON (an HTTP body) into the value avsc encodes and names every offending field, with
 * class-validator's wording where one exists so clients keep seeing familiar messages; one issue per field, the
 * most basic first (type, then length, then pattern), like Spine's ValidationPipe with `stopAtFirstError`.
 * `toJson` is the inverse, for storing or serving Avro values as JSON.
 *
 * JSON forms: timestamp-millis <-> RFC 3339 date-time string, decimal <-> exact decimal string ("129.90", never a
 * number), uuid <-> string, bytes/fixed <-> base64, unions <-> the bare value of their branch.
 */

export interface FromJsonOptions {
  /** Prefix of every issue's field, e.g. `events.1`; without it the value itself is `(root)`. */
  readonly path?: string;
  /** Top-level record fields the caller fills itself (e.g. `metadata`): skipped, and refused when posted. */
  readonly omitFields?: readonly string[];
  /** Stop after this many issues (default 1000); a last issue says the list was cut. */
  readonly maxIssues?: number;
}

export interface FromJsonResult {
  /**
   * The Avro value; passes `type.isValid` when `issues` is empty (once the caller fills any `omitFields`).
   * With issues it is partial (offending fields undefined) and must not be encoded.
   */
  readonly value: unknown;
  readonly issues: FieldIssue[];
}

/** Records, arrays and maps nested deeper than this are refused with one issue, not followed. */
export const MAX_JSON_DEPTH = 64;
const DEFAULT_MAX_ISSUES = 1000;
const ROOT = '(root)';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 3339 date-time (separator T, t or space, like class-validator's isRFC3339); also the ±YYYYYY years `Date.toISOString` writes. */
const DATE_TIME = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const MAX_DATE_MILLIS = 8.64e15; // the range of a JS Date
export const DATE_TIME_EXAMPLE = '2024-05-01T12:30:00Z';

/** Where a value sits: a linked list of path segments (built per item, turned into text only for an issue). */
interface Location {
  readonly parent: Location | undefined;
  readonly segment: string;
  /** How messages name the value: the field name, `each value in <field>` for items, or the path for the root. */
  readonly label: string;
}

interface TrialResult {
  readonly ok: boolean;
  readonly value: unknown;
}

interface Context {
  readonly prefix: string;
  readonly issues: FieldIssue[];
  readonly maxIssues: number;
  /** Trying a union branch: stop at the first problem, record none. */
  readonly trial: boolean;
  failed: boolean;
  full: boolean;
  /** Results of union branch trials per JSON object, so nested unions cannot make the work exponential. */
  readonly trials: Map<object, Map<TypeNode, TrialResult>>;
}

function stopped(ctx: Context): boolean {
  return ctx.failed || ctx.full;
}

function fieldOf(ctx: Context, at: Location): string {
  const segments: string[] = [];
  for (let l: Location | undefined = at; l?.parent; l = l.parent) segments.push(l.segment);
  if (ctx.prefix) segments.push(ctx.prefix);
  return segments.length ? segments.reverse().join('.') : ROOT;
}

function report(ctx: Context, at: Location, message: string): undefined {
  if (ctx.trial) {
    ctx.failed = true;
    return undefined;
  }
  if (ctx.full) return undefined;
  if (ctx.issues.length >= ctx.maxIssues) {
    ctx.issues.push({ field: ROOT, message: `too many problems; only the first ${ctx.maxIssues} are listed` });
    ctx.full = true;
    return undefined;
  }
  ctx.issues.push({ field: fieldOf(ctx, at), message });
  return undefined;
}

function child(at: Location, segment: string, label: string): Location {
  return { parent: at, segment, label };
}

/** A JSON object: not an array, not null, not a Date/Buffer/class instance in disguise (works across realms). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Object]';
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Number of code points, or -1 when the string holds a lone surrogate (not valid Unicode; UTF-8 cannot carry it). */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
      i++;
    }
    count++;
  }
  return count;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** An RFC 3339 date-time with a real calendar date and a zone, to the millisecond (finer fractions are truncated). */
export function parseDateTime(text: string): Date | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '', fraction = '', sign, oh = '0', om = '0'] = match;
  if (y === '-000000') return undefined; // ECMAScript's rule: year zero is written +000000
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [offsetHours, offsetMinutes] = [Number(oh), Number(om)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0..99 to 1900..1999
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  const millis = date.getTime() - (sign === '-' ? -1 : 1) * (sign ? offsetHours * 60 + offsetMinutes : 0) * 60_000;
  // Below LONG_MIN (some 140,000 years BC) avsc would write a different instant.
  return Number.isFinite(millis) && millis >= LONG_MIN && millis <= MAX_DATE_MILLIS ? new Date(millis) : undefined;
}

export function decimalMessage(label: string, node: NodeOf<'decimal'>): string {
  const digits = node.scale ? `up to ${node.precision - node.scale} integer and ${node.scale} fraction digits` : `up to ${node.precision} digits`;
  return `${label} must be a decimal string with ${digits}, e.g. "${node.example}"`;
}

function checkString(json: string, rules: StringRules, at: Location, ctx: Context): string | undefined {
  const length = codePoints(json);
  if (length < 0) return report(ctx, at, `${at.label} must be valid Unicode text (it contains a lone surrogate)`);
  if (rules.minLength !== undefined && length < rules.minLength) {
    return report(ctx, at, `${at.label} must be longer than or equal to ${rules.minLength} characters`);
  }
  if (rules.maxLength !== undefined && length > rules.maxLength) {
    return report(ctx, at, `${at.label} must be shorter than or equal to ${rules.maxLength} characters`);
  }
  if (rules.pattern && !rules.pattern.test(json)) return report(ctx, at, `${at.label} must match /${rules.pattern.source}/ regular expression`);
  return json;
}

function base64(json: unknown, at: Location, ctx: Context, size?: number): Buffer | undefined {
  const exactly = size === undefined ? '' : ` (exactly ${size} bytes)`;
  if (typeof json !== 'string' || !BASE64.test(json)) return report(ctx, at, `${at.label} must be base64 encoded${exactly}`);
  const bytes = Buffer.from(json, 'base64');
  if (size !== undefined && bytes.length !== size) return report(ctx, at, `${at.label} must be base64 encoded${exactly}`);
  return bytes;
}

/** Whether a branch could hold this kind of JSON value at all (before trying it in full). */
function accepts(node: TypeNode, json: unknown): boolean {
  switch (node.kind) {
    case 'null':
      return json === null;
    case 'boolean':
      return typeof json === 'boolean';
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return typeof json === 'number';
    case 'array':
      return Array.isArray(json);
    case 'record':
    case 'map':
      return isPlainObject(json);
    case 'logical':
      return accepts(node.underlying, json);
    case 'union':
      return node.branches.some((b) => accepts(b.node, json));
    default:
      return typeof json === 'string';
  }
}

function convert(node: TypeNode, json: unknown, at: Location, depth: number, ctx: Context): unknown {
  const { label } = at;
  switch (node.kind) {
    case 'null':
      return json === null ? null : report(ctx, at, `${label} must be null`);
    case 'boolean':
      return typeof json === 'boolean' ? json : report(ctx, at, `${label} must be a boolean value`);
    case 'int':
    case 'long': {
      if (typeof json !== 'number' || !Number.isInteger(json)) return report(ctx, at, `${label} must be an integer number`);
      const [min, max] = node.kind === 'int' ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
      if (json < min) return report(ctx, at, `${label} must not be less than ${min}`);
      if (json > max) return report(ctx, at, `${label} must not be greater than ${max}`);
      return json;
    }
    case 'float':
    case 'double': {
      if (typeof json !== 'number' || !Number.isFinite(json)) return report(ctx, at, `${label} must be a finite number`);
      if (node.kind === 'float' && Math.abs(json) > FLOAT_MAX) {
        return report(ctx, at, json > 0 ? `${label} must not be greater than ${FLOAT_MAX}` : `${label} must not be less than -${FLOAT_MAX}`);
      }
      return json;
    }
    case 'string':
      return typeof json === 'string' ? checkString(json, node.rules, at, ctx) : report(ctx, at, `${label} must be a string`);
    case 'enum':
      return typeof json === 'string' && node.symbolSet.has(json)
        ? json
        : report(ctx, at, `${label} must be one of the following values: ${node.symbols.join(', ')}`);
    case 'bytes':
      return base64(json, at, ctx);
    case 'fixed':
      return base64(json, at, ctx, node.size);
    case 'uuid':
      return typeof json === 'string' && UUID.test(json) ? json : report(ctx, at, `${label} must be a UUID`);
    case 'timestamp-millis':
      return (typeof json === 'string' ? parseDateTime(json) : undefined) ??
        report(ctx, at, `${label} must be an ISO-8601 date-time with a time zone, e.g. ${DATE_TIME_EXAMPLE}`);
    case 'decimal':
      return typeof json === 'string' && node.regex.test(json) ? json : report(ctx, at, decimalMessage(label, node));
    case 'logical': {
      const before = ctx.issues.length;
      const raw = convert(node.underlying, json, at, depth, ctx);
      if (stopped(ctx) || ctx.issues.length > before) return undefined;
      try {
        return node.type.fromBuffer((node.type as avro.types.LogicalType).underlyingType.toBuffer(raw));
      } catch {
        return report(ctx, at, `${label} must be a valid ${node.logicalType}`);
      }
    }
    case 'array':
      return convertArray(node, json, at, depth, ctx);
    case 'map':
      return convertMap(node, json, at, depth, ctx);
    case 'record':
      return convertRecord(node, json, at, depth, ctx, undefined);
    case 'union':
      return convertUnion(node, json, at, depth, ctx);
  }
}

function tooDeep(at: Location, ctx: Context): undefined {
  return report(ctx, at, `${at.label} is nested too deeply (more than ${MAX_JSON_DEPTH} levels)`);
}

function convertArray(node: NodeOf<'array'>, json: unknown, at: Location, depth: number, ctx: Context): unknown {
  if (!Array.isArray(json)) return report(ctx, at, `${at.label} must be an array`);
  if (depth >= MAX_JSON_DEPTH) return tooDeep(at, ctx);
  const label = `each value in ${at.label.replace(/^each value in /, '')}`;
  const out: unknown[] = new Array<unknown>(json.length);
  for (let i = 0; i < json.length && !stopped(ctx); i++) out[i] = convert(node.items, json[i], child(at, String(i), label), depth + 1, ctx);
  return out;
}

function convertMap(node: NodeOf<'map'>, json: unknown, at: Location, depth: number, ctx: Context): unknown {
  if (!isPlainObject(json)) return report(ctx, at, `${at.label} must be an object`);
  if (depth >= MAX_JSON_DEPTH) return tooDeep(at, ctx);
  const label = `each value in ${at.label.replace(/^each value in /, '')}`;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(json)) {
    if (stopped(ctx)) break;
    const where = child(at, key, label);
    if (codePoints(key) < 0) report(ctx, where, `each key in ${at.label} must be valid Unicode text (it contains a lone surrogate)`);
    // avsc decodes map keys by assignment, so a "__proto__" key would not survive a round trip.
    else if (key === '__proto__') report(ctx, where, `${at.label} must not have the key __proto__`);
    else setOwn(out, key, convert(node.values, json[key], where, depth + 1, ctx));
  }
  return out;
}

function convertRecord(node: RecordNode, json: unknown, at: Location, depth: number, ctx: Context, omit: ReadonlySet<string> | undefined): unknown {
  if (!isPlainObject(json)) return report(ctx, at, `${at.label} must be an object`);
  if (depth >= MAX_JSON_DEPTH) return tooDeep(at, ctx);
  const out: Record<string, unknown> = {};
  for (const field of node.fields) {
    if (stopped(ctx)) return undefined;
    if (omit?.has(field.name)) continue;
    const where = child(at, field.name, field.name);
    const posted = Object.hasOwn(json, field.name) ? json[field.name] : undefined;
    if (posted !== undefined) out[field.name] = convert(field.node, posted, where, depth + 1, ctx);
    else if (field.hasDefault) out[field.name] = field.defaultValue();
    else report(ctx, where, `${field.name} is required`);
  }
  for (const key of Object.keys(json)) {
    if (stopped(ctx)) return undefined;
    if (!node.fieldsByName.has(key) || omit?.has(key)) report(ctx, child(at, key, key), `property ${key} should not exist`);
  }
  return out;
}

function wrap(union: NodeOf<'union'>, branch: UnionBranch, value: unknown): unknown {
  if (!union.wrapped || branch.node.kind === 'null') return value;
  const wrapped: Record<string, unknown> = {};
  setOwn(wrapped, branch.branchName, value);
  return wrapped;
}

/** Converts in trial mode (stop at the first problem, report nothing), remembering the outcome per JSON object. */
function attempt(node: TypeNode, json: unknown, at: Location, depth: number, ctx: Context): TrialResult {
  const memo = typeof json === 'object' && json !== null ? ctx.trials.get(json) : undefined;
  const known = memo?.get(node);
  if (known) return known;
  const trial: Context = { ...ctx, issues: [], trial: true, failed: false, full: false };
  const value = convert(node, json, at, depth, trial);
  const result = { ok: !trial.failed, value };
  if (typeof json === 'object' && json !== null) {
    if (memo) memo.set(node, result);
    else ctx.trials.set(json, new Map([[node, result]]));
  }
  return result;
}

function convertUnion(node: NodeOf<'union'>, json: unknown, at: Location, depth: number, ctx: Context): unknown {
  const nullBranch = node.branches.find((b) => b.node.kind === 'null');
  if (json === null && nullBranch) return null;
  const others = node.branches.filter((b) => b.node.kind !== 'null');
  // ["null", T]: anything but null is judged as a T, with T's own messages.
  if (others.length === 1) {
    const only = others[0]!;
    const value = convert(only.node, json, at, depth, ctx);
    return wrap(node, only, value);
  }
  const candidates = others.filter((b) => accepts(b.node, json));
  if (candidates.length === 1) {
    const only = candidates[0]!;
    return wrap(node, only, convert(only.node, json, at, depth, ctx));
  }
  for (const candidate of candidates) {
    const result = attempt(candidate.node, json, at, depth, ctx);
    if (result.ok) return wrap(node, candidate, result.value);
  }
  return report(ctx, at, `${at.label} must be one of the following types: ${node.branches.map((b) => describeNode(b.node)).join(', ')}`);
}

/**
 * Converts parsed JSON into the Avro value of `type`, naming every problem with its dotted path. Pass the type with
 * its schema JSON (e.g. a catalog entry: `{ type, json }`) to enforce the `spine.minLength` / `spine.maxLength`
 * (code points) / `spine.pattern` field attributes, which avsc itself drops.
 */
export function fromJson(type: CodecType, json: unknown, options: FromJsonOptions = {}): FromJsonResult {
  const model = modelOf(type);
  const prefix = options.path ?? '';
  const ctx: Context = {
    prefix,
    issues: [],
    maxIssues: Math.max(1, options.maxIssues ?? DEFAULT_MAX_ISSUES),
    trial: false,
    failed: false,
    full: false,
    trials: new Map(),
  };
  const root: Location = { parent: undefined, segment: '', label: prefix || 'value' };
  const omit = options.omitFields?.length ? new Set(options.omitFields) : undefined;
  const value =
    model.root.kind === 'record' ? convertRecord(model.root, json, root, 0, ctx, omit) : convert(model.root, json, root, 0, ctx);
  if (!ctx.issues.length) assertValid(model.type, value, omit, root, ctx);
  return { value, issues: ctx.issues };
}

/**
 * Safety net: a value converted without issues must be one avsc accepts. If not (a gap in this codec, or a logical
 * type implementation that disagrees with it), the offending fields are reported rather than failing at encode time.
 */
function assertValid(type: avro.Type, value: unknown, omit: ReadonlySet<string> | undefined, root: Location, ctx: Context): void {
  type.isValid(value, {
    errorHook: (path: string[]) => {
      if (omit && path.length === 1 && omit.has(path[0]!)) return; // left for the caller to fill
      let at = root;
      for (const segment of path) at = child(at, segment, segment);
      report(ctx, at, `${path.length ? path.join('.') : root.label} cannot be encoded with its Avro schema`);
    },
  });
}

/**
 * The JSON form of an Avro value of `type` (the inverse of `fromJson`): Date -> ISO string, bytes/fixed -> base64,
 * decimals stay strings, records -> plain objects in field order, unions unwrapped. Throws a TypeError naming the
 * path when `value` does not fit `type`.
 */
export function toJson(type: CodecType, value: unknown): unknown {
  return output(modelOf(type).root, value, [], 0);
}

/** `toJson` for one node of a type's model (e.g. a field default, for JSON Schema). */
export function nodeToJson(node: TypeNode, value: unknown): unknown {
  return output(node, value, [], 0);
}

function mismatch(path: readonly string[], expected: string, value: unknown): TypeError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return new TypeError(`toJson: ${path.length ? path.join('.') : ROOT}: expected ${expected}, got ${got}`);
}

function output(node: TypeNode, value: unknown, path: string[], depth: number): unknown {
  if (depth > MAX_JSON_DEPTH * 4) throw new TypeError(`toJson: ${path.join('.')}: nested too deeply`);
  switch (node.kind) {
    case 'null':
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
    case 'enum':
    case 'uuid':
    case 'decimal':
      return value;
    case 'bytes':
    case 'fixed':
      if (!Buffer.isBuffer(value)) throw mismatch(path, 'a Buffer', value);
      return value.toString('base64');
    case 'timestamp-millis':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw mismatch(path, 'a valid Date', value);
      return value.toISOString();
    case 'logical': {
      const type = node.type as avro.types.LogicalType;
      return output(node.underlying, type.underlyingType.fromBuffer(type.toBuffer(value)), path, depth);
    }
    case 'array':
      if (!Array.isArray(value)) throw mismatch(path, 'an array', value);
      return value.map((item: unknown, i) => output(node.items, item, [...path, String(i)], depth + 1));
    case 'map': {
      if (typeof value !== 'object' || value === null) throw mismatch(path, 'an object', value);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) setOwn(out, key, output(node.values, item, [...path, key], depth + 1));
      return out;
    }
    case 'record': {
      if (typeof value !== 'object' || value === null) throw mismatch(path, `record ${node.name ?? ''}`.trim(), value);
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const field of node.fields) out[field.name] = output(field.node, source[field.name], [...path, field.name], depth + 1);
      return out;
    }
    case 'union':
      return outputUnion(node, value, path, depth);
  }
}

/** The kind of Avro value, to pick an unwrapped union's branch without a full validation per level. */
function holds(node: TypeNode, value: unknown): boolean {
  switch (node.kind) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return typeof value === 'number';
    case 'bytes':
    case 'fixed':
      return Buffer.isBuffer(value);
    case 'timestamp-millis':
      return value instanceof Date;
    case 'array':
      return Array.isArray(value);
    case 'record':
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date);
    case 'logical':
      return true;
    case 'union':
      return false;
    default:
      return typeof value === 'string';
  }
}

function outputUnion(node: NodeOf<'union'>, value: unknown, path: string[], depth: number): unknown {
  if (value === null || value === undefined) {
    if (node.branches.some((b) => b.node.kind === 'null')) return null;
    throw mismatch(path, describeNode(node), value);
  }
  if (node.wrapped) {
    const keys = typeof value === 'object' ? Object.keys(value) : [];
    const branch = keys.length === 1 ? node.branches.find((b) => b.branchName === keys[0]) : undefined;
    if (!branch) throw mismatch(path, `a wrapped union value { <branch>: value } of ${describeNode(node)}`, value);
    return output(branch.node, (value as Record<string, unknown>)[branch.branchName], path, depth);
  }
  const candidates = node.branches.filter((b) => b.node.kind !== 'null' && holds(b.node, value));
  // Only logical-type branches can share a kind (avsc unwraps a union only when its branches can be told apart).
  const branch = candidates.length > 1 ? (candidates.find((b) => b.type.isValid(value)) ?? candidates[0]) : candidates[0];
  if (!branch) throw mismatch(path, describeNode(node), value);
  return output(branch.node, value, path, depth);
}
