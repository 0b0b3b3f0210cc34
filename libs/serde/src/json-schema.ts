import { FLOAT_MAX, INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, modelOf, type CodecType, type NodeOf, type RecordNode, type TypeNode } from './avro-model.js';
import { DATE_TIME_EXAMPLE, nodeToJson } from './json-codec.js';

/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 and AsyncAPI 3 embed them) of the JSON that `fromJson` accepts and
 * `toJson` writes. Named types are inlined where used; only a recursive record goes to `$defs` (then the schema
 * gets an `$id`, so its `#/$defs/...` references still resolve when it is embedded in a larger document).
 */

export type JsonSchema = { [keyword: string]: unknown };

export interface JsonSchemaOptions {
  /** Top-level record fields the caller fills itself (e.g. `metadata`): left out, as `fromJson` refuses them. */
  readonly omitFields?: readonly string[];
}

export function jsonSchemaOf(type: CodecType, options: JsonSchemaOptions = {}): JsonSchema {
  const { root } = modelOf(type);
  const generator = new Generator();
  const omit = new Set(options.omitFields ?? []);
  const schema = root.kind === 'record' ? generator.record(root, omit) : generator.node(root);
  const defs: JsonSchema = {};
  // A recursive record is written once under $defs; writing one may reveal another.
  for (let pending = generator.takeReferenced(); pending.length; pending = generator.takeReferenced()) {
    for (const record of pending) defs[defName(record)] = generator.record(record, new Set());
  }
  if (!Object.keys(defs).length) return schema;
  return { $id: `urn:spine:avro:${root.kind === 'record' && root.name ? root.name : 'schema'}`, ...schema, $defs: defs };
}

function defName(record: RecordNode): string {
  return record.name ?? 'record';
}

function shortName(name: string | undefined): string | undefined {
  return name?.slice(name.lastIndexOf('.') + 1);
}

class Generator {
  private readonly expanding = new Set<RecordNode>();
  private readonly referenced = new Set<RecordNode>();
  private readonly written = new Set<RecordNode>();

  takeReferenced(): RecordNode[] {
    const pending = [...this.referenced].filter((r) => !this.written.has(r));
    for (const record of pending) this.written.add(record);
    return pending;
  }

  node(node: TypeNode): JsonSchema {
    switch (node.kind) {
      case 'null':
        return { type: 'null' };
      case 'boolean':
        return { type: 'boolean' };
      case 'int':
        return { type: 'integer', format: 'int32', minimum: INT_MIN, maximum: INT_MAX };
      case 'long':
        return { type: 'integer', format: 'int64', minimum: LONG_MIN, maximum: LONG_MAX };
      case 'float':
        return { type: 'number', format: 'float', minimum: -FLOAT_MAX, maximum: FLOAT_MAX };
      case 'double':
        return { type: 'number', format: 'double' };
      case 'string': {
        const { minLength, maxLength, pattern } = node.rules;
        return {
          type: 'string',
          ...(minLength !== undefined && { minLength }),
          ...(maxLength !== undefined && { maxLength }),
          ...(pattern && { pattern: pattern.source }),
        };
      }
      case 'enum':
        return { type: 'string', ...(node.name && { title: shortName(node.name) }), ...(node.doc && { description: node.doc }), enum: [...node.symbols] };
      case 'bytes':
        return { type: 'string', contentEncoding: 'base64' };
      case 'fixed': {
        const length = 4 * Math.ceil(node.size / 3);
        return { type: 'string', contentEncoding: 'base64', ...(node.name && { title: shortName(node.name) }), minLength: length, maxLength: length };
      }
      case 'uuid':
        return { type: 'string', format: 'uuid' };
      case 'timestamp-millis':
        return { type: 'string', format: 'date-time', examples: [DATE_TIME_EXAMPLE] };
      case 'decimal':
        return { type: 'string', pattern: node.regex.source, examples: [node.example] };
      case 'logical':
        return this.node(node.underlying);
      case 'array':
        return { type: 'array', items: this.node(node.items) };
      case 'map':
        return { type: 'object', additionalProperties: this.node(node.values) };
      case 'record':
        if (this.expanding.has(node)) {
          this.referenced.add(node);
          return { $ref: `#/$defs/${defName(node).replaceAll('~', '~0').replaceAll('/', '~1')}` };
        }
        return this.record(node, new Set());
      case 'union':
        return this.union(node);
    }
  }

  record(node: RecordNode, omit: ReadonlySet<string>): JsonSchema {
    this.expanding.add(node);
    try {
      const properties: JsonSchema = {};
      const required: string[] = [];
      for (const field of node.fields) {
        if (omit.has(field.name)) continue;
        const schema = this.node(field.node);
        if (field.doc) schema.description = field.doc;
        if (field.hasDefault) schema.default = nodeToJson(field.node, field.defaultValue());
        else required.push(field.name);
        properties[field.name] = schema;
      }
      return {
        type: 'object',
        ...(node.name && { title: shortName(node.name) }),
        ...(node.doc && { description: node.doc }),
        properties,
        ...(required.length && { required }),
        additionalProperties: false,
      };
    } finally {
      this.expanding.delete(node);
    }
  }

  private union(node: NodeOf<'union'>): JsonSchema {
    const hasNull = node.branches.some((b) => b.node.kind === 'null');
    const others = node.branches.filter((b) => b.node.kind !== 'null').map((b) => this.node(b.node));
    if (hasNull && others.length === 1) return nullable(others[0]!);
    const branches = node.branches.map((b) => (b.node.kind === 'null' ? { type: 'null' } : this.node(b.node)));
    return { anyOf: branches };
  }
}

/** `T | null` as one schema where that is exact (`type: ['string', 'null']`), else `anyOf`. */
function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type !== 'string' || schema.$ref !== undefined) return { anyOf: [schema, { type: 'null' }] };
  const out: JsonSchema = { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.enum)) out.enum = [...(schema.enum as unknown[]), null]; // else enum would refuse null
  return out;
}
