import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import avro from 'avsc';
import { spinePlatform } from '@spine/platform';
import { avroTypeOptions, loadSchemaCatalog, type AvroJson, type SchemaCatalog } from '@spine/schemas';
import { deploymentFromEnv, groupIdOf, resolveTopic } from '@spine/topology';
import { spineAsyncApi } from '../../apps/ingestion/src/asyncapi.controller.js';
import { ServiceProcess, freePort } from '../harness/service-process.js';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';

const root = join(import.meta.dirname, '..', '..');
const committedFile = join(root, 'schemas', 'asyncapi.json');
const generator = join(root, 'tools', 'asyncapi', 'generate.mjs');

type Doc = { servers: Record<string, any>; channels: Record<string, any>; operations: Record<string, any> };

/** Parses with the official parser; returns its errors and the codes of everything else it said. */
async function validate(document: unknown): Promise<{ errors: string[]; notes: string[] }> {
  const { diagnostics } = await new Parser().parse(JSON.stringify(document));
  return {
    errors: diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('/')}: ${d.message}`),
    notes: [...new Set(diagnostics.filter((d) => d.severity !== 0).map((d) => d.code as string))].sort(),
  };
}

/** The catalog with one schema changed in memory: a new optional field on the fraud score. */
function withAlteredFraudScore(catalog: SchemaCatalog): SchemaCatalog {
  const original = catalog.get('fraud-score')!;
  const json = structuredClone(original.json) as { fields: AvroJson[] };
  json.fields.push({ name: 'reviewQueue', type: ['null', 'string'], default: null } as unknown as AvroJson);
  const altered = new Map(catalog);
  altered.set('fraud-score', { ...original, json, text: JSON.stringify(json), type: avro.Type.forSchema(json as avro.Schema, avroTypeOptions()) });
  return altered;
}

describe('AsyncAPI document of the stage registry', () => {
  let catalog: SchemaCatalog;
  let committed: Doc;
  beforeAll(async () => {
    catalog = await loadSchemaCatalog();
    committed = JSON.parse(readFileSync(committedFile, 'utf8')) as Doc;
  });

  it('is committed as the generator writes it now (tools/asyncapi/generate.mjs --check), for the default deployment', () => {
    const check = spawnSync(process.execPath, [generator, '--check'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', SPINE_TOPIC_PREFIX: 'ignored.' } });
    expect(check.stderr).toContain('up to date');
    expect(check.status).toBe(0);
    expect(spineAsyncApi(deploymentFromEnv({}), catalog)).toEqual(committed);
    expect(JSON.parse(execFileSync(process.execPath, [generator, '--stdout'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }))).toEqual(committed);
  });

  it('changes when a schema changes, exactly where that schema is used', () => {
    const altered = spineAsyncApi(deploymentFromEnv({}), withAlteredFraudScore(catalog)) as unknown as Doc;
    expect(altered).not.toEqual(committed);
    const payload = (d: Doc) => d.channels['spine.ai.fraud-score.v1'].messages.FraudScore.payload.schema;
    expect(payload(altered).fields.map((f: { name: string }) => f.name)).toContain('reviewQueue');
    expect(payload(committed).fields.map((f: { name: string }) => f.name)).not.toContain('reviewQueue');
    // Every channel whose records are FraudScores (the result topic and its shadow topic) changes; nothing else does.
    const fraudScoreTopics = spinePlatform.topics.filter((t) => t.value === 'fraud-score').map((t) => t.name);
    expect(fraudScoreTopics.length).toBeGreaterThan(1);
    for (const name of fraudScoreTopics) expect(altered.channels[name].messages.FraudScore.payload).not.toEqual(committed.channels[name].messages.FraudScore.payload);
    const without = (d: Doc) => {
      const copy = structuredClone(d);
      for (const name of fraudScoreTopics) delete copy.channels[name].messages.FraudScore.payload;
      return copy;
    };
    expect(without(altered)).toEqual(without(committed));
  });

  it('lists every registered topic, every stage operation with its group, and validates with @asyncapi/parser', async () => {
    const deployment = deploymentFromEnv({});
    expect(Object.values(committed.channels).map((c) => c.address).sort()).toEqual(spinePlatform.topics.map((t) => t.name).sort());
    for (const stage of spinePlatform.stages) {
      for (const input of stage.inputs) expect(committed.operations[`${stage.name}.receive.${input.name}`].bindings.kafka.groupId.enum).toEqual([groupIdOf(stage, deployment)]);
      for (const output of [...stage.outputs, stage.deadLetter]) expect(committed.operations[`${stage.name}.send.${output.name}`].action).toBe('send');
    }
    for (const [type, spec] of spinePlatform.ingestRoutes) expect(committed.operations[`ingestion.send.${spec.name}`].title).toContain(type);
    for (const spec of spinePlatform.topics.filter((t) => t.value)) {
      const [message] = Object.values(committed.channels[spec.name].messages) as Array<{ payload: { schema: avro.Schema } }>;
      expect(avro.Type.forSchema(message!.payload.schema, avroTypeOptions()).fingerprint()).toEqual(catalog.get(spec.value!)!.type.fingerprint());
    }
    const { errors, notes } = await validate(committed);
    expect(errors).toEqual([]);
    // The only remark: 3.1.0 exists. The issue asks for 3.0, which every AsyncAPI 3 tool reads.
    expect(notes).toEqual(['asyncapi-latest-version']);
  });

  describe('served by ingestion', () => {
    let fx: SpineFixture;
    let ingestion: ServiceProcess | undefined;
    beforeAll(async () => {
      fx = await provisionedFixture('asyncapi', 2);
      const env = { SPINE_TOPIC_PREFIX: fx.prefix, SPINE_TOPIC_PARTITIONS: '2', SPINE_API_KEYS: 'asyncapi-test-key-0123456789' };
      ingestion = await new ServiceProcess('ingestion', await freePort(), env).start();
    });
    afterAll(async () => {
      await ingestion?.stop();
      await fx?.close();
    });

    it('at GET /asyncapi.json, without an API key, for its own deployment (prefix, brokers, registry)', async () => {
      const response = await fetch(`${ingestion!.url}/asyncapi.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.headers.get('keep-alive')).toBe('timeout=65'); // outlasts clients' idle timeouts: they close first
      const served = (await response.json()) as Doc;
      const deployment = { prefix: fx.prefix, partitions: 2, replicationFactor: 1 };
      expect(served).toEqual(spineAsyncApi(deployment, catalog, process.env));
      expect(Object.values(served.channels).map((c) => c.address).sort()).toEqual(spinePlatform.topics.map((t) => resolveTopic(t, deployment).name).sort());
      expect(served.servers.kafka.host).toBe(process.env.KAFKA_BROKERS!.split(',')[0]);
      expect(served.operations['enrichment.receive.spine.crm.support-message.v1'].bindings.kafka.groupId.enum).toEqual([`${fx.prefix}spine.enrichment`]);
      expect((await validate(served)).errors).toEqual([]);
      expect((await fetch(`${ingestion!.url}/openapi.json`)).status).toBe(200);
    });
  });
});
