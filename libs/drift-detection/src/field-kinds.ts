import type avro from 'avsc';
import type { FieldKind } from './observation.js';

/** Avro types (avsc type names) watched as numbers; decimals arrive as strings ("12.50") and are parsed. */
const NUMERIC = new Set(['int', 'long', 'float', 'double', 'logical:decimal']);
/** Avro types watched as categories: one bin per value. */
const CATEGORICAL = new Set(['boolean', 'enum', 'string', 'logical:uuid']);

/** The result of looking a watched path up in a record schema: its kind, or why it cannot be watched. */
export type FieldKindLookup = { readonly kind: FieldKind } | { readonly problem: string };

/**
 * How the field at dot path `path` of record type `type` is binned, from its Avro type (a nullable union counts
 * as its non-null branch): or a problem naming the path and the type, e.g. a missing field, a record or bytes.
 */
export function fieldKindOf(type: avro.Type, path: string): FieldKindLookup {
  let current: avro.Type = type;
  const steps = path.split('.');
  for (const [i, step] of steps.entries()) {
    current = nonNull(current);
    const record = current as avro.types.RecordType;
    if (current.typeName !== 'record') return { problem: `"${steps.slice(0, i).join('.')}" is ${current.typeName}, not a record, so "${path}" does not exist` };
    const field = record.field(step);
    if (!field) return { problem: `"${path}" does not exist (${current.name ?? 'the record'} has ${record.fields.map((f) => f.name).join(', ')})` };
    current = field.type;
  }
  const leaf = nonNull(current);
  if (NUMERIC.has(leaf.typeName)) return { kind: 'numeric' };
  if (CATEGORICAL.has(leaf.typeName)) return { kind: 'categorical' };
  return { problem: `"${path}" is ${leaf.typeName}; only int, long, float, double, decimal, boolean, enum and string fields can be watched` };
}

function nonNull(type: avro.Type): avro.Type {
  if (!type.typeName.startsWith('union')) return type;
  const branches = (type as avro.types.UnwrappedUnionType).types.filter((t: avro.Type) => t.typeName !== 'null');
  return branches.length === 1 ? branches[0]! : type;
}
