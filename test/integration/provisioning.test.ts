import { IncompatibleSchemaError, provision, subjectFor } from '@spine/topology';
import { loadSchemaCatalog, type CatalogSchema, type SchemaCatalog } from '@spine/schemas';
import avro from 'avsc';
import { avroTypeOptions } from '@spine/schemas';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';

/** A catalog whose support-message-received schema got one more field. */
async function catalogWithExtraField(field: Record<string, unknown>): Promise<SchemaCatalog> {
  const catalog = new Map(await loadSchemaCatalog());
  const original = catalog.get('support-message-received')!;
  const json = structuredClone(original.json) as { fields: unknown[] };
  json.fields.push(field);
  const changed: CatalogSchema = { ...original, json: json as never, text: JSON.stringify(json), type: avro.Type.forSchema(json as avro.Schema, avroTypeOptions()) };
  catalog.set('support-message-received', changed);
  return catalog;
}

describe('provisioning', () => {
  let fx: SpineFixture;

  beforeAll(async () => {
    fx = await provisionedFixture('provision', 2);
  });
  afterAll(async () => fx?.close());

  it('creates every topic with its partitions and configs, and sets BACKWARD on every subject', async () => {
    const metadata = await fx.admin.fetchTopicMetadata({ topics: fx.topology.all.map((t) => t.name) });
    for (const spec of fx.topology.all) {
      expect(metadata.topics.find((t) => t.name === spec.name)?.partitions).toHaveLength(spec.partitions);
    }
    const subject = subjectFor(fx.topology.topics.triageResults.name, 'value');
    expect(await fx.registry.subjectCompatibility(subject)).toBe('BACKWARD');
  });

  it('is idempotent: a second run changes nothing', async () => {
    const steps = await provision(fx.topology.all, { admin: fx.admin, registry: fx.registry, catalog: fx.catalog });
    expect(steps.filter((s) => s.action !== 'unchanged')).toEqual([]);
  });

  it('refuses a BACKWARD-incompatible change, naming the field, and registers nothing', async () => {
    const subject = subjectFor(fx.topology.topics.supportMessages.name, 'value');
    const before = await fx.registry.latestId(subject);
    const catalog = await catalogWithExtraField({ name: 'slaTier', type: 'string' });
    const run = provision(fx.topology.all, { admin: fx.admin, registry: fx.registry, catalog });
    await expect(run).rejects.toBeInstanceOf(IncompatibleSchemaError);
    await expect(run).rejects.toThrow(/field "slaTier"/);
    expect(await fx.registry.latestId(subject)).toBe(before);
  });

  it('accepts a compatible change (new field with a default) as a new version', async () => {
    const subject = subjectFor(fx.topology.topics.supportMessages.name, 'value');
    const before = await fx.registry.latestId(subject);
    const catalog = await catalogWithExtraField({ name: 'language', type: ['null', 'string'], default: null });
    const steps = await provision(fx.topology.all, { admin: fx.admin, registry: fx.registry, catalog });
    expect(steps).toContainEqual(expect.objectContaining({ target: subject, action: 'registered' }));
    expect(await fx.registry.latestId(subject)).not.toBe(before);
  });

  it('grows partitions and refuses to shrink them', async () => {
    const grown = fx.topology.all.map((t) => (t === fx.topology.topics.triageResults ? { ...t, partitions: 4 } : t));
    const steps = await provision(grown, { admin: fx.admin, registry: fx.registry, catalog: fx.catalog });
    expect(steps).toContainEqual(expect.objectContaining({ target: fx.topology.topics.triageResults.name, action: 'partitions-added' }));
    const shrunk = fx.topology.all.map((t) => (t === fx.topology.topics.triageResults ? { ...t, partitions: 1 } : t));
    await expect(provision(shrunk, { admin: fx.admin, registry: fx.registry, catalog: fx.catalog })).rejects.toThrow(/cannot shrink/);
  });
});
