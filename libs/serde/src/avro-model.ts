import avro from 'avsc';

/**
 * A walkable description of an avsc Type, shared by the JSON codec and the JSON Schema generator.
 *
 * avsc 5.7.9 keeps only a field's name, type, doc, aliases, order and default: custom attributes such as
 * `spine.maxLength` are dropped when the schema is parsed, and `type.schema({ exportAttrs: true })` does not
 * bring them back. They are therefore read from the schema JSON the type was parsed from (a catalog entry's
 * `json`), when the caller passes it alongside the type.
 */

/** An avsc type, optionally with the schema JSON it was parsed from (e.g. a `CatalogSchema` from '@spine/schemas'). */
export interface TypeWithSchema {
  readonly type: avro.Type;
  /** The Avro schema JSON `type` was parsed from; the source of `spine.*` attributes, which avsc drops. */
  readonly json: unknown;
}

/** What the codec functions accept: a bare avsc type (no `spine.*` constraints) or a type with its schema JSON. */
export type CodecType = avro.Type | TypeWithSchema;

/** `spine.minLength` / `spine.maxLength` (code points) and `spine.pattern` (JS regex source) of a string. */
export interface StringRules {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
}

export interface FieldModel {
  readonly name: string;
  readonly doc: string | undefined;
  readonly node: TypeNode;
  /** Returns a fresh copy of the Avro default, or undefined when the field has none. */
  readonly defaultValue: () => unknown;
  readonly hasDefault: boolean;
}

export interface RecordNode {
  readonly kind: 'record';
  readonly name: string | undefined;
  readonly doc: string | undefined;
  fields: FieldModel[];
  fieldsByName: Map<string, FieldModel>;
}

export interface UnionBranch {
  readonly node: TypeNode;
  readonly type: avro.Type;
  /** Key of the branch in a wrapped union's value (`{ [branchName]: value }`). */
  readonly branchName: string;
}

export type TypeNode =
  | { readonly kind: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'uuid' | 'timestamp-millis' }
  | { readonly kind: 'string'; readonly rules: StringRules }
  | { readonly kind: 'enum'; readonly name: string | undefined; readonly doc: string | undefined; readonly symbols: readonly string[]; readonly symbolSet: ReadonlySet<string> }
  | { readonly kind: 'fixed'; readonly name: string | undefined; readonly size: number }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number; readonly regex: RegExp; readonly example: string }
  | { readonly kind: 'array'; readonly items: TypeNode }
  | { readonly kind: 'map'; readonly values: TypeNode }
  | RecordNode
  | { readonly kind: 'union'; readonly wrapped: boolean; readonly branches: readonly UnionBranch[] }
  /** A logical type other than Spine's three: converted through its underlying type and avsc's own encoding. */
  | { readonly kind: 'logical'; readonly logicalType: string; readonly type: avro.Type; readonly underlying: TypeNode };

export const INT_MIN = -2_147_483_648;
export const INT_MAX = 2_147_483_647;
/**
 * The longs avsc 5.7.9 encodes faithfully. Its own check allows ±9007199254740990, but its zig-zag encoding works
 * in floating point, so a long below -2^52 is written as a different number (e.g. -4503599627370497 is read back as
 * 4503599627370496) without an error.
 */
export const LONG_MIN = -(2 ** 52);
export const LONG_MAX = 9_007_199_254_740_990;
export const FLOAT_MAX = 3.4028234663852886e38;

export type NodeOf<K extends TypeNode['kind']> = Extract<TypeNode, { kind: K }>;

export interface TypeModel {
  readonly type: avro.Type;
  readonly root: TypeNode;
}

/** Models per type, then per schema JSON: objects weakly (a caller may parse its JSON per call), others (a name, none) strongly. */
const cache = new WeakMap<avro.Type, { readonly objects: WeakMap<object, TypeModel>; readonly others: Map<unknown, TypeModel> }>();

/** The model of `source`, built once per (type, schema JSON) pair. */
export function modelOf(source: CodecType): TypeModel {
  const { type, json } = avro.Type.isType(source) ? { type: source as avro.Type, json: undefined } : (source as TypeWithSchema);
  if (!avro.Type.isType(type)) throw new TypeError('expected an avsc Type, or { type, json } with an avsc Type');
  let models = cache.get(type);
  if (!models) cache.set(type, (models = { objects: new WeakMap(), others: new Map() }));
  const isObject = typeof json === 'object' && json !== null;
  let model = isObject ? models.objects.get(json) : models.others.get(json);
  if (!model) {
    model = { type, root: new ModelBuilder(json).build(type, json, undefined) };
    if (isObject) models.objects.set(json, model);
    else models.others.set(json, model);
  }
  return model;
}

type JsonObject = { readonly [key: string]: unknown };

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

function qualify(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** Full name -> definition of every named type defined anywhere in a schema JSON (nested ones included). */
function collectDefinitions(schema: unknown): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const visit = (node: unknown, namespace: string | undefined, depth: number): void => {
    if (depth > 1000) return;
    if (Array.isArray(node)) {
      for (const branch of node) visit(branch, namespace, depth + 1);
      return;
    }
    if (!isJsonObject(node)) return;
    let ns = namespace;
    if (typeof node.type === 'string' && NAMED.has(node.type) && typeof node.name === 'string') {
      const name = qualify(node.name, typeof node.namespace === 'string' && node.namespace ? node.namespace : namespace);
      if (!out.has(name)) out.set(name, node);
      ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
    }
    if (node.type !== undefined && typeof node.type !== 'string') visit(node.type, ns, depth + 1);
    if (Array.isArray(node.fields)) for (const field of node.fields) if (isJsonObject(field)) visit(field.type, ns, depth + 1);
    if (node.items !== undefined) visit(node.items, ns, depth + 1);
    if (node.values !== undefined) visit(node.values, ns, depth + 1);
  };
  visit(schema, undefined, 0);
  return out;
}

function nonNegativeInteger(value: unknown, attribute: string, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${where}: ${attribute} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The `spine.*` string constraints written on a field or on a string type's definition. */
function rulesOf(definition: unknown, where: string): StringRules | undefined {
  if (!isJsonObject(definition)) return undefined;
  const minLength = nonNegativeInteger(definition['spine.minLength'], 'spine.minLength', where);
  const maxLength = nonNegativeInteger(definition['spine.maxLength'], 'spine.maxLength', where);
  const source = definition['spine.pattern'];
  let pattern: RegExp | undefined;
  if (source !== undefined) {
    if (typeof source !== 'string') throw new Error(`${where}: spine.pattern must be a string (a JS regular expression source)`);
    try {
      pattern = new RegExp(source, 'u');
    } catch (error) {
      throw new Error(`${where}: spine.pattern ${JSON.stringify(source)} is not a valid regular expression (${(error as Error).message})`, { cause: error });
    }
  }
  if (minLength === undefined && maxLength === undefined && pattern === undefined) return undefined;
  return { ...(minLength !== undefined && { minLength }), ...(maxLength !== undefined && { maxLength }), ...(pattern && { pattern }) };
}

function mergeRules(type: StringRules | undefined, field: StringRules | undefined): StringRules {
  return { ...type, ...field };
}

function decimalNode(precision: number, scale: number): NodeOf<'decimal'> {
  const integerDigits = precision - scale;
  const whole = integerDigits === 0 ? '0' : `\\d{1,${integerDigits}}`;
  const fraction = scale === 0 ? '' : `(?:\\.\\d{1,${scale}})?`;
  const example = `${integerDigits ? '129'.slice(-integerDigits) : '0'}${scale ? `.${'90'.padEnd(scale, '0').slice(0, scale)}` : ''}`;
  return { kind: 'decimal', precision, scale, regex: new RegExp(`^-?${whole}${fraction}$`), example };
}

class ModelBuilder {
  private readonly definitions: Map<string, JsonObject>;
  private readonly records = new Map<avro.Type, RecordNode>();

  constructor(schema: unknown) {
    this.definitions = collectDefinitions(schema);
  }

  /** `json`: the schema JSON at the same position as `type`, when known; `fieldRules`: the enclosing field's `spine.*`. */
  build(type: avro.Type, json: unknown, fieldRules: StringRules | undefined): TypeNode {
    const typeName = type.typeName;
    switch (typeName) {
      case 'null':
      case 'boolean':
      case 'int':
      case 'long':
      case 'float':
      case 'double':
      case 'bytes':
        return { kind: typeName };
      case 'string':
        return { kind: 'string', rules: mergeRules(rulesOf(json, 'string type'), fieldRules) };
      case 'enum': {
        const symbols = [...(type as avro.types.EnumType).symbols];
        return { kind: 'enum', name: type.name, doc: type.doc, symbols, symbolSet: new Set(symbols) };
      }
      case 'fixed':
        return { kind: 'fixed', name: type.name, size: (type as avro.types.FixedType).size };
      case 'array':
        return { kind: 'array', items: this.build((type as avro.types.ArrayType).itemsType, isJsonObject(json) ? json.items : undefined, undefined) };
      case 'map':
        return { kind: 'map', values: this.build((type as avro.types.MapType).valuesType as avro.Type, isJsonObject(json) ? json.values : undefined, undefined) };
      case 'record':
      case 'error':
        return this.record(type as avro.types.RecordType, json);
      case 'union:unwrapped':
      case 'union:wrapped': {
        const types = (type as avro.types.UnwrappedUnionType).types;
        const branches = types.map((branch, i) => ({
          node: this.build(branch, Array.isArray(json) ? json[i] : undefined, fieldRules),
          type: branch,
          branchName: branch.branchName ?? branch.typeName,
        }));
        return { kind: 'union', wrapped: typeName === 'union:wrapped', branches };
      }
      default:
        if (typeName.startsWith('logical:')) return this.logical(type as avro.types.LogicalType, typeName.slice('logical:'.length), json, fieldRules);
        throw new Error(`unsupported Avro type ${typeName}`);
    }
  }

  private logical(type: avro.types.LogicalType, logicalType: string, json: unknown, fieldRules: StringRules | undefined): TypeNode {
    const underlying = type.underlyingType.typeName;
    if (logicalType === 'uuid' && underlying === 'string') return { kind: 'uuid' };
    if (logicalType === 'timestamp-millis' && underlying === 'long') return { kind: 'timestamp-millis' };
    if (logicalType === 'decimal' && underlying === 'bytes') {
      const schema = type.schema({ exportAttrs: true }) as { precision?: unknown; scale?: unknown };
      const precision = schema.precision;
      const scale = schema.scale ?? 0;
      if (typeof precision === 'number' && typeof scale === 'number' && Number.isInteger(precision) && Number.isInteger(scale) && precision >= 1 && scale >= 0 && scale <= precision) {
        return decimalNode(precision, scale);
      }
    }
    return { kind: 'logical', logicalType, type, underlying: this.build(type.underlyingType, json, fieldRules) };
  }

  private record(type: avro.types.RecordType, json: unknown): RecordNode {
    const known = this.records.get(type);
    if (known) return known;
    const node: RecordNode = { kind: 'record', name: type.name, doc: type.doc, fields: [], fieldsByName: new Map() };
    this.records.set(type, node); // before the fields: a recursive reference finds it
    const definition = isJsonObject(json) && Array.isArray(json.fields) ? json : type.name ? this.definitions.get(type.name) : undefined;
    const fieldDefinitions = new Map<string, JsonObject>();
    if (definition && Array.isArray(definition.fields)) {
      for (const field of definition.fields) if (isJsonObject(field) && typeof field.name === 'string') fieldDefinitions.set(field.name, field);
    }
    for (const field of type.fields) {
      const fieldJson = fieldDefinitions.get(field.name);
      const where = `${type.name ?? 'record'}.${field.name}`;
      const probe = field.defaultValue() as unknown;
      const model: FieldModel = {
        name: field.name,
        doc: (field as unknown as { doc?: string }).doc,
        node: this.build(field.type, fieldJson?.type, rulesOf(fieldJson, where)),
        defaultValue: () => field.defaultValue() as unknown,
        hasDefault: probe !== undefined,
      };
      node.fields.push(model);
      node.fieldsByName.set(field.name, model);
    }
    return node;
  }
}

/** A short description of a type for messages, e.g. `string`, `spine.crm.Channel`, `decimal(12,2)`. */
export function describeNode(node: TypeNode): string {
  switch (node.kind) {
    case 'record':
      return node.name ?? 'record';
    case 'enum':
    case 'fixed':
      return node.name ?? node.kind;
    case 'decimal':
      return `decimal(${node.precision},${node.scale})`;
    case 'timestamp-millis':
      return 'date-time';
    case 'logical':
      return node.logicalType;
    case 'union':
      return node.branches.map((b) => describeNode(b.node)).join(' | ');
    default:
      return node.kind;
  }
}
