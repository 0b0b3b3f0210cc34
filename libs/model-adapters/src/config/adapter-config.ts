import { inProcessKind } from '../backends/in-process.js';
import { onnxKind } from '../backends/onnx.js';
import { oipV2Kind } from '../backends/oip-v2.js';
import { openaiKind } from '../backends/openai.js';
import { AdapterConfigError } from '../errors.js';
import { COMMON_FIELDS, type CommonConfig } from './common.js';
import { fieldDocs, jsonSchemaOfFields, markdownTable } from './docs.js';
import { overrideDefaults, validateFields, type ConfigIssue, type Fields, type Input, type Resolved } from './fields.js';
import type { KindSpec } from './kind.js';

/** Every adapter kind, by its `kind`. */
export const ADAPTER_KINDS = { 'in-process': inProcessKind, onnx: onnxKind, 'oip-v2': oipV2Kind, openai: openaiKind } as const;
type Kinds = typeof ADAPTER_KINDS;
export type AdapterKindName = keyof Kinds;

/** A validated configuration of one kind, defaults filled. */
export type AdapterConfigOf<K extends AdapterKindName> = { kind: K } & CommonConfig & Resolved<Kinds[K]['fields']>;
export type AdapterConfig = { [K in AdapterKindName]: AdapterConfigOf<K> }[AdapterKindName];
/** A configuration as written (JSON, YAML, code): defaulted fields may be left out. */
export type AdapterConfigInput = { [K in AdapterKindName]: { readonly kind: K } & Input<typeof COMMON_FIELDS> & Input<Kinds[K]['fields']> }[AdapterKindName];

const KIND_NAMES = Object.keys(ADAPTER_KINDS) as AdapterKindName[];

function specOf(kind: AdapterKindName): KindSpec {
  return ADAPTER_KINDS[kind] as unknown as KindSpec;
}

/** Common fields with the kind's defaults, then the kind's own fields. */
export function fieldsOfKind(kind: AdapterKindName): Fields {
  const spec = specOf(kind);
  return { ...overrideDefaults(COMMON_FIELDS, spec.defaults ?? {}), ...spec.fields };
}

/** Validates a configuration and fills its defaults; throws AdapterConfigError naming every bad field. */
export function validateAdapterConfig(value: unknown): AdapterConfig {
  const raw = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const subject = typeof raw.name === 'string' ? `${raw.name}@${String(raw.version)}` : '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AdapterConfigError([{ field: '(root)', message: 'must be an object' }], subject);
  const kind = raw.kind;
  if (typeof kind !== 'string' || !KIND_NAMES.includes(kind as AdapterKindName)) {
    throw new AdapterConfigError([{ field: 'kind', message: `must be one of ${KIND_NAMES.join(', ')}` }], subject);
  }
  const spec = specOf(kind as AdapterKindName);
  const issues: ConfigIssue[] = [];
  const { kind: _kind, ...rest } = raw;
  const resolved = validateFields(fieldsOfKind(kind as AdapterKindName), rest, '', issues) as CommonConfig & Record<string, unknown>;
  if (!spec.batchable && resolved.batching?.enabled) issues.push({ field: 'batching.enabled', message: `micro-batching does not apply to ${kind}: ${spec.unbatchable ?? 'its backend takes one input per request'} (set it false)` });
  if (!issues.length) spec.check?.(resolved as never, issues);
  if (issues.length) throw new AdapterConfigError(issues, subject);
  return { kind, ...resolved } as AdapterConfig;
}

/** Markdown reference of every kind's configuration, generated from the declarations. */
export function adapterConfigDocs(): string {
  const out = ['### Common fields (every kind)', '', markdownTable(fieldDocs(COMMON_FIELDS))];
  for (const kind of KIND_NAMES) {
    const spec = specOf(kind);
    out.push('', `### \`kind: "${kind}"\``, '', spec.description, '');
    const overridden = fieldDocs(overrideDefaults(COMMON_FIELDS, spec.defaults ?? {})).filter((row, i) => JSON.stringify(row.default) !== JSON.stringify(fieldDocs(COMMON_FIELDS)[i]!.default));
    if (overridden.length) out.push(`Defaults of common fields for this kind: ${overridden.map((r) => `\`${r.field}\` ${JSON.stringify(r.default)}`).join(', ')}.`, '');
    if (!spec.batchable) out.push(`No micro-batching: ${spec.unbatchable ?? 'one input per backend request'}.`, '');
    out.push(markdownTable(fieldDocs(spec.fields)));
  }
  return out.join('\n');
}

/** JSON Schema (2020-12) of a configuration: one branch per kind, with its defaults. */
export function adapterConfigJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Spine model adapter configuration',
    oneOf: KIND_NAMES.map((kind) => ({ title: kind, description: specOf(kind).description, ...jsonSchemaOfFields(fieldsOfKind(kind), { kind: { const: kind } }) })),
  };
}
