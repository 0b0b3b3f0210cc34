import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { bundle, definedNames, type AvroJson } from './bundle.js';
import { avroTypeOptions } from './logical-types.js';

/** One schema file, made self-contained and parsed. */
export interface CatalogSchema {
  /** File path relative to the schemas dir without `.avsc`, e.g. `support-message-received`, `common/entity-key`. */
  readonly id: string;
  readonly file: string;
  /** Self-contained schema (references inlined): what is registered. */
  readonly json: AvroJson;
  /** The same as canonical JSON text, ready for the registry. */
  readonly text: string;
  readonly type: avro.Type;
}

export type SchemaCatalog = ReadonlyMap<string, CatalogSchema>;

/** The repo's `schemas/` directory; SPINE_SCHEMAS_DIR overrides it (e.g. in a container image). */
export function defaultSchemasDir(): string {
  return process.env.SPINE_SCHEMAS_DIR ?? fileURLToPath(new URL('../../../schemas/', import.meta.url));
}

async function listAvsc(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.avsc'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Reads every `*.avsc` below `dir`, resolves cross-file references and parses each with Spine's logical types. */
export async function loadSchemaCatalog(dir: string = defaultSchemasDir()): Promise<SchemaCatalog> {
  const files = await listAvsc(dir);
  const raw = new Map<string, AvroJson>();
  for (const file of files) {
    try {
      raw.set(file, JSON.parse(await readFile(file, 'utf8')) as AvroJson);
    } catch (error) {
      throw new Error(`${relative(dir, file)}: not valid JSON (${(error as Error).message})`);
    }
  }
  const library = new Map<string, AvroJson>();
  for (const [file, json] of raw) {
    const top = definedNames(json)[0];
    if (top) {
      if (library.has(top)) throw new Error(`${relative(dir, file)}: type ${top} is defined by two schema files`);
      library.set(top, json);
    }
  }
  const catalog = new Map<string, CatalogSchema>();
  for (const [file, json] of raw) {
    const id = relative(dir, file).replace(/\.avsc$/, '');
    const bundled = bundle(json, library, id);
    let type: avro.Type;
    try {
      type = avro.Type.forSchema(bundled as avro.Schema, avroTypeOptions());
    } catch (error) {
      throw new Error(`${id}: invalid Avro schema: ${(error as Error).message}`);
    }
    catalog.set(id, { id, file, json: bundled, text: JSON.stringify(bundled), type });
  }
  return catalog;
}

export function requireSchema(catalog: SchemaCatalog, id: string): CatalogSchema {
  const schema = catalog.get(id);
  if (!schema) throw new Error(`schema "${id}" not found; known: ${[...catalog.keys()].join(', ')}`);
  return schema;
}
