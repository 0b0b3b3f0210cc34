import avro from 'avsc';
import { avroTypeOptions } from '@spine/schemas';
import type { Compatibility } from '@spine/serde';

/**
 * Local compatibility analysis: says *which field* breaks a rule, which registries rarely do.
 * BACKWARD: the new schema can read data written with the old one (consumers upgrade first).
 * FORWARD: the old schema can read data written with the new one. FULL: both.
 */
export function compatibilityIssues(next: avro.Type, previous: avro.Type, level: Compatibility): string[] {
  const base = level.replace('_TRANSITIVE', '');
  const issues: string[] = [];
  if (base === 'BACKWARD' || base === 'FULL') issues.push(...readIssues(next, previous, '', 'new schema cannot read old data'));
  if (base === 'FORWARD' || base === 'FULL') issues.push(...readIssues(previous, next, '', 'old schema cannot read new data'));
  return issues;
}

export function parseSchema(text: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(text) as avro.Schema, avroTypeOptions());
}

function canRead(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

/** Walks records field by field so the message names the field; falls back to avsc's verdict. */
function readIssues(reader: avro.Type, writer: avro.Type, path: string, why: string): string[] {
  if (canRead(reader, writer)) return [];
  if (reader instanceof avro.types.RecordType && writer instanceof avro.types.RecordType) {
    const issues: string[] = [];
    for (const field of reader.fields) {
      const fieldPath = path ? `${path}.${field.name}` : field.name;
      const written = writer.field(field.name) ?? field.aliases.map((a) => writer.field(a)).find(Boolean);
      if (!written) {
        if (field.defaultValue() === undefined) issues.push(`field "${fieldPath}" is missing on one side and has no default (${why})`);
        continue;
      }
      issues.push(...readIssues(field.type, written.type, fieldPath, why));
    }
    if (issues.length) return issues;
  }
  const label = path ? `field "${path}"` : 'value';
  return [`${label}: type ${describe(writer)} cannot be read as ${describe(reader)} (${why})`];
}

function describe(type: avro.Type): string {
  return type.name ?? JSON.stringify(type.schema()).slice(0, 120);
}
