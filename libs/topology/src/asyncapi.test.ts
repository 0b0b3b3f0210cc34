import { Parser } from '@asyncapi/parser';
import avro from 'avsc';
import { avroTypeOptions, loadSchemaCatalog, type SchemaCatalog } from '@spine/schemas';
import { AVRO_SCHEMA_FORMAT, asyncApiDocument, withNamespaces, type AsyncApiOptions } from './asyncapi.js';
import type { Deployment } from './deployment.js';
import { defineDomain, Platform } from './platform.js';
import { stage } from './stage-spec.js';
import { topic } from './topic-spec.js';

/** A toy registry (not Spine's domains): one ingested topic, one stage, one result topic. */
const topics = {
  payments: topic({ name: 'toy.payments.v1', description: 'payments in', key: 'common/entity-key', value: 'payment-transaction-received', retentionDays: 2, ingest: { type: 'toy.payment', key: 'cardId' } }),
  scores: topic({ name: 'toy.scores.v1', description: 'scores out', key: 'common/entity-key', value: 'fraud-score', retentionDays: 3, partitions: 4, config: { 'max.message.bytes': '1048576' } }),
};
const scorer = stage({ name: 'scorer', description: 'scores payments', service: 'scoring', inputs: [topics.payments], outputs: [topics.scores] });
const toy = new Platform([defineDomain({ name: 'toy', description: 'a toy domain', topics, stages: { scorer }, services: [{ name: 'scoring', description: 'scores', port: 4100 }] })], { stages: [], services: [] });
const deployment: Deployment = { prefix: 'acme.', partitions: 3, replicationFactor: 2 };
const options: AsyncApiOptions = { contextHeaders: { traceparent: 'trace' }, deadLetterHeaders: { errorClass: 'x.dlq.error.class', sourceOffset: 'x.dlq.source.offset' } };

type Doc = { channels: Record<string, any>; operations: Record<string, any> };

describe('asyncApiDocument', () => {
  let catalog: SchemaCatalog;
  let doc: Doc;
  beforeAll(async () => {
    catalog = await loadSchemaCatalog();
    doc = asyncApiDocument(toy, deployment, catalog, options) as unknown as Doc;
  });

  it('has a channel per registered topic, addressed by its deployed name, with Kafka bindings from the declaration', () => {
    expect(Object.keys(doc.channels)).toEqual(toy.topics.map((t) => t.name));
    const scores = doc.channels['toy.scores.v1'];
    expect(scores.address).toBe('acme.toy.scores.v1');
    expect(scores.bindings.kafka).toEqual({
      partitions: 4,
      replicas: 2,
      topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': 3 * 86_400_000, 'max.message.bytes': 1_048_576 },
      bindingVersion: '0.5.0',
    });
    expect(doc.channels['toy.payments.v1'].bindings.kafka.partitions).toBe(3); // the deployment's default
  });

  it('carries the catalog schema as the Avro payload (same canonical form) and the key and headers', () => {
    const message = doc.channels['toy.scores.v1'].messages.FraudScore;
    expect(message.payload.schemaFormat).toBe(AVRO_SCHEMA_FORMAT);
    const documented = avro.Type.forSchema(message.payload.schema, avroTypeOptions());
    expect(documented.fingerprint().toString('hex')).toBe(catalog.get('fraud-score')!.type.fingerprint().toString('hex'));
    expect(message.bindings.kafka.key.type).toBe('string');
    expect(message.bindings.kafka.key.description).toContain('acme.toy.scores.v1-key');
    expect(Object.keys(message.headers.properties)).toEqual(['traceparent']);
    const dead = doc.channels['spine.dlq.scorer.v1'].messages.DeadLetter;
    expect(dead.headers.required).toEqual(['x.dlq.error.class', 'x.dlq.source.offset']);
    expect(dead.payload.description).toContain('toy.payments.v1');
  });

  it('has receive (with the group), send and dead-letter operations per stage, and send operations for ingested topics', () => {
    expect(doc.operations['scorer.receive.toy.payments.v1'].bindings.kafka.groupId).toEqual({ type: 'string', enum: ['acme.spine.scorer'] });
    expect(doc.operations['scorer.send.toy.scores.v1'].action).toBe('send');
    expect(doc.operations['scorer.send.spine.dlq.scorer.v1'].channel).toEqual({ $ref: '#/channels/spine.dlq.scorer.v1' });
    expect(doc.operations['ingestion.send.toy.payments.v1'].messages).toEqual([{ $ref: '#/channels/toy.payments.v1/messages/PaymentTransactionReceived' }]);
    expect(Object.keys(doc.operations)).toHaveLength(4);
  });

  it('is valid for the official AsyncAPI parser, which does check the Avro payloads and the bindings', async () => {
    const parser = new Parser();
    const valid = await parser.parse(JSON.stringify(doc));
    expect(valid.diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(valid.document).toBeDefined();

    // The same document with a dotted Avro name (as registered) and a zero partition count is refused.
    const broken = structuredClone(doc);
    broken.channels['toy.scores.v1'].messages.FraudScore.payload.schema = catalog.get('fraud-score')!.json;
    broken.channels['toy.payments.v1'].bindings.kafka.partitions = 0;
    const errors = (await parser.parse(JSON.stringify(broken))).diagnostics.filter((d) => d.severity === 0).map((d) => d.path.join('/'));
    expect(errors.some((p) => p.startsWith('channels/toy.scores.v1/messages/FraudScore/payload/schema'))).toBe(true);
    expect(errors.some((p) => p === 'channels/toy.payments.v1/bindings/kafka/partitions')).toBe(true);
  });

  it('writes dotted Avro names as name + namespace without changing the type', () => {
    const json = { type: 'record', name: 'a.b.Outer', fields: [{ name: 'inner', type: { type: 'enum', name: 'c.Inner', symbols: ['X'] } }, { name: 'again', type: 'c.Inner' }] };
    const split = withNamespaces(json) as any;
    expect([split.name, split.namespace, split.fields[0].type.name, split.fields[0].type.namespace]).toEqual(['Outer', 'a.b', 'Inner', 'c']);
    expect(avro.Type.forSchema(split).fingerprint().equals(avro.Type.forSchema(json as avro.Schema).fingerprint())).toBe(true);
  });
});
