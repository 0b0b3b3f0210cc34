import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSchemaCatalog, requireSchema } from './catalog.js';

describe('schema catalog', () => {
  it('inlines a type defined in another file so the registered schema is self-contained', async () => {
    const catalog = await loadSchemaCatalog();
    const schema = requireSchema(catalog, 'support-message-received');
    const metadata = (schema.json as { fields: Array<{ name: string; type: unknown }> }).fields.find((f) => f.name === 'metadata');
    expect(metadata?.type).toMatchObject({ type: 'record', name: 'spine.common.EventMetadata' });
    // The enriched schema uses SupportMessageReceived, which itself uses EventMetadata: both inlined once.
    const enriched = requireSchema(catalog, 'support-message-enriched');
    expect(enriched.text.match(/"name":"spine.common.EventMetadata"/g)).toHaveLength(1);
  });

  it('names the missing type and the file when a reference cannot be resolved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spine-schemas-'));
    await mkdir(join(dir, 'x'));
    await writeFile(join(dir, 'x', 'broken.avsc'), JSON.stringify({ type: 'record', name: 'B', fields: [{ name: 'a', type: 'spine.Nope' }] }));
    await expect(loadSchemaCatalog(dir)).rejects.toThrow('x/broken: type "spine.Nope" is not defined');
  });

  it('generated TypeScript types are up to date with schemas/', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    expect(() => execFileSync(process.execPath, [join(root, 'tools', 'codegen', 'generate-types.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
