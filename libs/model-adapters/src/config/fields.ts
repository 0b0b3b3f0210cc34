/**
 * Self-describing configuration fields, in the spirit of Redpanda Connect's component specs: each field declares
 * its type, default, bounds and description once, and validation, defaults, the TypeScript type, Markdown docs and
 * a JSON Schema all come from that one declaration.
 */

interface Described {
  readonly description: string;
  /** No default and not required: absent stays absent. */
  readonly optional?: true;
}
export interface StringField extends Described {
  readonly type: 'string';
  readonly default?: string;
  readonly enum?: readonly string[];
  readonly minLength?: number;
}
export interface NumberField extends Described {
  readonly type: 'integer' | 'number';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}
export interface BooleanField extends Described {
  readonly type: 'boolean';
  readonly default?: boolean;
}
export interface StringMapField extends Described {
  readonly type: 'string-map';
}
export interface JsonField extends Described {
  readonly type: 'json';
  /** Checks the value; returns what is wrong, or undefined. */
  readonly check?: (value: unknown) => string | undefined;
  /** How the docs name the expected value, e.g. "Avro record schema". */
  readonly shape?: string;
}
export interface ObjectField extends Described {
  readonly type: 'object';
  readonly fields: Fields;
}
export type Field = StringField | NumberField | BooleanField | StringMapField | JsonField | ObjectField;
export type Fields = { readonly [name: string]: Field };

/** Field constructors: `f.integer({ description, default: 3, min: 1 })`; literal types are kept for inference. */
export const f = {
  string: <const F extends Omit<StringField, 'type'>>(spec: F) => ({ type: 'string', ...spec }) as { type: 'string' } & F,
  integer: <const F extends Omit<NumberField, 'type'>>(spec: F) => ({ type: 'integer', ...spec }) as { type: 'integer' } & F,
  number: <const F extends Omit<NumberField, 'type'>>(spec: F) => ({ type: 'number', ...spec }) as { type: 'number' } & F,
  boolean: <const F extends Omit<BooleanField, 'type'>>(spec: F) => ({ type: 'boolean', ...spec }) as { type: 'boolean' } & F,
  stringMap: <const F extends Omit<StringMapField, 'type'>>(spec: F) => ({ type: 'string-map', ...spec }) as { type: 'string-map' } & F,
  json: <const F extends Omit<JsonField, 'type'>>(spec: F) => ({ type: 'json', ...spec }) as { type: 'json' } & F,
  object: <const F extends Omit<ObjectField, 'type'>>(spec: F) => ({ type: 'object', ...spec }) as { type: 'object' } & F,
};

// ---- types from declarations -------------------------------------------------------------------------------------

type ValueOf<F> = F extends { type: 'string'; enum: readonly (infer E extends string)[] }
  ? E
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'integer' | 'number' }
      ? number
      : F extends { type: 'boolean' }
        ? boolean
        : F extends { type: 'string-map' }
          ? Record<string, string>
          : F extends { type: 'object'; fields: infer S extends Fields }
            ? Resolved<S>
            : unknown;

type InputValueOf<F> = F extends { type: 'object'; fields: infer S extends Fields } ? Input<S> : ValueOf<F>;

/** Keys whose value may be absent after validation: optional and without a default. */
type AbsentKeys<S extends Fields> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
/** Keys a configuration must give: no default, not optional, not an object that defaults as a whole. */
type RequiredKeys<S extends Fields> = {
  [K in keyof S]: S[K] extends { optional: true } | { default: unknown }
    ? never
    : S[K] extends { type: 'object'; fields: infer N extends Fields }
      ? [RequiredKeys<N>] extends [never]
        ? never
        : K
      : K;
}[keyof S];

type Flatten<T> = { [K in keyof T]: T[K] };
/** A validated configuration: defaults filled. */
export type Resolved<S extends Fields> = Flatten<
  { -readonly [K in Exclude<keyof S, AbsentKeys<S>>]: ValueOf<S[K]> } & { -readonly [K in AbsentKeys<S>]?: ValueOf<S[K]> }
>;
/** What a configuration may be written as: defaulted fields may be left out. */
export type Input<S extends Fields> = Flatten<
  { readonly [K in RequiredKeys<S>]: InputValueOf<S[K]> } & { readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: InputValueOf<S[K]> }
>;

// ---- validation ------------------------------------------------------------------------------------------------

export interface ConfigIssue {
  readonly field: string;
  readonly message: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether an absent object field can be filled from its subfields' defaults. */
function defaultsAsWhole(fields: Fields): boolean {
  return Object.values(fields).every((s) => s.optional || 'default' in s || (s.type === 'object' && defaultsAsWhole(s.fields)));
}

/** Validates `value` against `fields`; returns it with defaults filled, appending an issue per bad field. */
export function validateFields(fields: Fields, value: unknown, path: string, issues: ConfigIssue[]): Record<string, unknown> {
  const at = (name: string) => (path ? `${path}.${name}` : name);
  if (!isPlainObject(value)) {
    issues.push({ field: path || '(root)', message: 'must be an object' });
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!(key in fields)) issues.push({ field: at(key), message: `unknown field; known: ${Object.keys(fields).join(', ')}` });
  }
  for (const [name, spec] of Object.entries(fields)) {
    const v = value[name];
    if (v === undefined) {
      if ('default' in spec && spec.default !== undefined) out[name] = spec.default;
      else if (spec.type === 'object' && defaultsAsWhole(spec.fields)) out[name] = validateFields(spec.fields, {}, at(name), issues);
      else if (!spec.optional) issues.push({ field: at(name), message: `is required: ${spec.description}` });
      continue;
    }
    const checked = validateValue(spec, v, at(name), issues);
    if (checked !== undefined) out[name] = checked;
  }
  return out;
}

function validateValue(spec: Field, v: unknown, field: string, issues: ConfigIssue[]): unknown {
  const bad = (message: string) => {
    issues.push({ field, message });
    return undefined;
  };
  switch (spec.type) {
    case 'string':
      if (typeof v !== 'string') return bad('must be a string');
      if (spec.enum && !spec.enum.includes(v)) return bad(`must be one of ${spec.enum.join(', ')}`);
      if (spec.minLength !== undefined && v.length < spec.minLength) return bad(`must have at least ${spec.minLength} character(s)`);
      return v;
    case 'integer':
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad(`must be a finite number`);
      if (spec.type === 'integer' && !Number.isInteger(v)) return bad('must be an integer');
      if (spec.min !== undefined && v < spec.min) return bad(`must be ≥ ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) return bad(`must be ≤ ${spec.max}`);
      return v;
    case 'boolean':
      return typeof v === 'boolean' ? v : bad('must be true or false');
    case 'string-map':
      if (!isPlainObject(v) || !Object.values(v).every((x) => typeof x === 'string')) return bad('must be an object of strings');
      return { ...v };
    case 'json': {
      const problem = spec.check?.(v);
      return problem ? bad(problem) : v;
    }
    case 'object':
      return validateFields(spec.fields, v, field, issues);
  }
}

/** `fields` with some defaults replaced (a kind's own defaults for common fields), e.g. `{ retries: { maxAttempts: 1 } }`. */
export function overrideDefaults(fields: Fields, defaults: Readonly<Record<string, unknown>>): Fields {
  const out: Record<string, Field> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const d = defaults[name];
    if (d === undefined) out[name] = spec;
    else if (spec.type === 'object' && isPlainObject(d)) out[name] = { ...spec, fields: overrideDefaults(spec.fields, d) };
    else out[name] = { ...spec, default: d } as Field;
  }
  return out;
}
