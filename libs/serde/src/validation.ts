import type avro from 'avsc';
import type { FieldIssue } from './errors.js';

/** Lists every field of `value` that `type` rejects, with a readable reason. */
export function collectIssues(type: avro.Type, value: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  type.isValid(value, {
    errorHook: (path: string[], got: unknown, fieldType: avro.Type) => {
      issues.push({ field: path.length ? path.join('.') : '(root)', message: `expected ${describe(fieldType)}, got ${show(got)}` });
    },
  });
  return issues;
}

function describe(type: avro.Type): string {
  const schema = type.schema() as unknown;
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return `one of ${JSON.stringify(schema)}`.slice(0, 200);
  const s = schema as { type?: unknown; logicalType?: string; symbols?: string[]; name?: string; precision?: number; scale?: number };
  if (s.logicalType === 'decimal') return `a decimal string with at most ${s.precision} digits and ${s.scale} decimals`;
  if (s.logicalType === 'timestamp-millis') return 'a valid Date';
  if (s.logicalType === 'uuid') return 'a UUID string';
  if (s.symbols) return `one of ${s.symbols.join(', ')}`;
  if (s.name) return `record ${s.name}`;
  return JSON.stringify(s.type ?? schema);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? (value === null ? 'null' : 'an object') : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
