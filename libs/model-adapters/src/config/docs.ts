import type { Field, Fields } from './fields.js';

/** One documented field, dotted for nested objects (e.g. `retries.maxAttempts`). */
export interface FieldDoc {
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
  readonly default: unknown;
  readonly description: string;
}

function typeName(spec: Field): string {
  switch (spec.type) {
    case 'string':
      return spec.enum ? spec.enum.map((e) => `"${e}"`).join(' \\| ') : 'string';
    case 'integer':
    case 'number': {
      const bounds = [spec.min !== undefined ? `≥ ${spec.min}` : '', spec.max !== undefined ? `≤ ${spec.max}` : ''].filter(Boolean).join(', ');
      return bounds ? `${spec.type} (${bounds})` : spec.type;
    }
    case 'json':
      return spec.shape ?? 'JSON';
    case 'string-map':
      return 'object of strings';
    default:
      return spec.type;
  }
}

/** The fields flattened for docs, nested objects first as a row of their own. */
export function fieldDocs(fields: Fields, prefix = ''): FieldDoc[] {
  const rows: FieldDoc[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    const field = prefix + name;
    const hasDefault = 'default' in spec && spec.default !== undefined;
    rows.push({ field, type: typeName(spec), required: !hasDefault && !spec.optional && spec.type !== 'object', default: hasDefault ? spec.default : undefined, description: spec.description });
    if (spec.type === 'object') rows.push(...fieldDocs(spec.fields, `${field}.`));
  }
  return rows;
}

/** A Markdown table of fields: field, type, default (or "required"), description. */
export function markdownTable(rows: readonly FieldDoc[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['| field | type | default | description |', '|---|---|---|---|'];
  for (const r of rows) {
    const def = r.required ? '**required**' : r.default === undefined ? '' : `\`${JSON.stringify(r.default)}\``;
    lines.push(`| \`${r.field}\` | ${r.type} | ${def} | ${cell(r.description)} |`);
  }
  return lines.join('\n');
}

/** JSON Schema (2020-12) of an object of `fields`. */
export function jsonSchemaOfFields(fields: Fields, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...extra };
  const required: string[] = Object.keys(extra);
  for (const [name, spec] of Object.entries(fields)) {
    properties[name] = jsonSchemaOfField(spec);
    if (!spec.optional && !('default' in spec && spec.default !== undefined) && spec.type !== 'object') required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

function jsonSchemaOfField(spec: Field): Record<string, unknown> {
  const base: Record<string, unknown> = { description: spec.description };
  if ('default' in spec && spec.default !== undefined) base.default = spec.default;
  switch (spec.type) {
    case 'string':
      return { type: 'string', ...(spec.enum ? { enum: spec.enum } : {}), ...(spec.minLength ? { minLength: spec.minLength } : {}), ...base };
    case 'integer':
    case 'number':
      return { type: spec.type, ...(spec.min !== undefined ? { minimum: spec.min } : {}), ...(spec.max !== undefined ? { maximum: spec.max } : {}), ...base };
    case 'boolean':
      return { type: 'boolean', ...base };
    case 'string-map':
      return { type: 'object', additionalProperties: { type: 'string' }, ...base };
    case 'json':
      return { ...base };
    case 'object':
      return { ...jsonSchemaOfFields(spec.fields), ...base };
  }
}
