import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTER_KINDS, adapterConfigDocs, adapterConfigJsonSchema, fieldsOfKind, validateAdapterConfig, type AdapterKindName } from './adapter-config.js';
import { COMMON_FIELDS } from './common.js';
import { AdapterConfigError } from '../errors.js';
import type { Fields } from './fields.js';

const minimal: Record<AdapterKindName, Record<string, unknown>> = {
  'in-process': { kind: 'in-process', name: 'm', version: '1.0.0', function: 'score' },
  onnx: { kind: 'onnx', name: 'm', version: '1.0.0', path: 'm.onnx' },
  'oip-v2': { kind: 'oip-v2', name: 'm', version: '1.0.0', url: 'http://127.0.0.1:1' },
  openai: { kind: 'openai', name: 'm', version: '1.0.0', baseUrl: 'http://127.0.0.1:1/v1', model: 'x', prompt: '{{text}}', outputSchema: { type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] } },
};

function issuesOf(config: unknown): Array<{ field: string; message: string }> {
  try {
    validateAdapterConfig(config);
  } catch (error) {
    if (error instanceof AdapterConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

/** Every leaf default of `fields`, dotted. */
function defaultsOf(fields: Fields, prefix = ''): Array<[string, unknown]> {
  return Object.entries(fields).flatMap(([name, spec]): Array<[string, unknown]> =>
    spec.type === 'object' ? defaultsOf(spec.fields, `${prefix}${name}.`) : 'default' in spec && spec.default !== undefined ? [[prefix + name, spec.default]] : [],
  );
}

const at = (value: unknown, path: string) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

describe('adapter configuration', () => {
  it.each(Object.keys(ADAPTER_KINDS) as AdapterKindName[])('fills every default of kind %s from its declaration (the kind’s own overrides first)', (kind) => {
    const config = validateAdapterConfig(minimal[kind]);
    const declared = defaultsOf(fieldsOfKind(kind));
    expect(declared.length).toBeGreaterThan(10);
    for (const [path, value] of declared) expect([path, at(config, path)]).toEqual([path, value]);
  });

  it('gives kinds their own defaults for common fields', () => {
    expect(validateAdapterConfig(minimal['in-process']).retries.maxAttempts).toBe(1);
    expect(validateAdapterConfig(minimal['in-process']).circuitBreaker.enabled).toBe(false);
    expect(validateAdapterConfig(minimal['oip-v2']).retries.maxAttempts).toBe(COMMON_FIELDS.retries.fields.maxAttempts.default);
    expect(validateAdapterConfig(minimal['oip-v2']).circuitBreaker.enabled).toBe(true);
  });

  it('names every bad field at once', () => {
    const issues = issuesOf({ ...minimal['oip-v2'], url: 'ftp://x', timeoutMs: 0, retries: { maxAttempts: 1.5, jitter: true }, input: { datatype: 'INT8' }, colour: 'red' });
    expect(issues.map((i) => i.field).sort()).toEqual(['colour', 'input.datatype', 'retries.jitter', 'retries.maxAttempts', 'timeoutMs']);
    expect(issues.find((i) => i.field === 'input.datatype')?.message).toBe('must be one of FP32, FP64');
    expect(issues.find((i) => i.field === 'colour')?.message).toMatch(/^unknown field; known: name, version, timeoutMs/);
    // cross-field checks run once the fields themselves are valid
    expect(issuesOf({ ...minimal['oip-v2'], url: 'ftp://x' })).toEqual([{ field: 'url', message: 'must be an http:// or https:// URL' }]);
  });

  it('says what a required field is for', () => {
    expect(issuesOf({ kind: 'onnx', name: 'm', version: '1' })).toEqual([{ field: 'path', message: expect.stringMatching(/^is required: The \.onnx file/) }]);
  });

  it('refuses an unknown kind, listing the known ones', () => {
    expect(issuesOf({ ...minimal.onnx, kind: 'tensorflow' })).toEqual([{ field: 'kind', message: 'must be one of in-process, onnx, oip-v2, openai' }]);
  });

  it('refuses micro-batching for kinds whose backend takes one input per request', () => {
    expect(issuesOf({ ...minimal.openai, batching: { enabled: true } })).toEqual([{ field: 'batching.enabled', message: expect.stringContaining('one prompt per request') }]);
    expect(issuesOf({ ...minimal['oip-v2'], batching: { enabled: true } })).toEqual([]);
  });

  it('checks the openai output schema is an Avro record schema', () => {
    expect(issuesOf({ ...minimal.openai, outputSchema: { type: 'record', name: 'R', fields: [{ name: 'a', type: 'nope' }] } })[0]).toEqual({
      field: 'outputSchema',
      message: expect.stringMatching(/^is not a valid Avro schema/),
    });
    expect(issuesOf({ ...minimal.openai, outputSchema: 'string' })[0]?.message).toMatch(/must be an Avro record schema/);
  });
});

describe('generated reference', () => {
  it('documents every field of every kind, with its default', () => {
    const docs = adapterConfigDocs();
    for (const kind of Object.keys(ADAPTER_KINDS) as AdapterKindName[]) {
      expect(docs).toContain(`### \`kind: "${kind}"\``);
      for (const [path, value] of defaultsOf(ADAPTER_KINDS[kind].fields)) {
        expect(docs).toContain(`| \`${path}\` | `);
        expect(docs).toContain(`\`${JSON.stringify(value)}\``);
      }
    }
    for (const [path] of defaultsOf(COMMON_FIELDS)) expect(docs).toContain(`| \`${path}\` |`);
    expect(docs).toContain('Defaults of common fields for this kind: `timeoutMs` 1000');
  });

  it('is what the README shows', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = /<!-- config-reference:start[^>]*-->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme)?.[1]?.trim();
    if (section !== adapterConfigDocs()) {
      throw new Error('the configuration reference in libs/model-adapters/README.md is stale; run: npx tsc -b libs/model-adapters && node libs/model-adapters/scripts/config-docs.mjs --write');
    }
  });

  it('has a JSON Schema branch per kind whose defaults are the validator’s', () => {
    const schema = adapterConfigJsonSchema() as { oneOf: Array<{ title: string; properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }>; required: string[] }> };
    expect(schema.oneOf.map((b) => b.title)).toEqual(Object.keys(ADAPTER_KINDS));
    for (const branch of schema.oneOf) {
      const config = validateAdapterConfig(minimal[branch.title as AdapterKindName]);
      expect(branch.required).toEqual(expect.arrayContaining(['kind', 'name', 'version']));
      expect(branch.properties.timeoutMs?.default).toBe(config.timeoutMs);
      expect(branch.properties.retries?.properties?.maxAttempts?.default).toBe(config.retries.maxAttempts);
    }
  });
});
