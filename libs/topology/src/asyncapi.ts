import { requireSchema, type AvroJson, type CatalogSchema, type SchemaCatalog } from '@spine/schemas';
import { jsonSchemaOf, type JsonSchema } from '@spine/serde';
import { groupIdOf, resolveTopic, type Deployment, type ResolvedTopic } from './deployment.js';
import type { Platform } from './platform.js';
import type { StageSpec } from './stage-spec.js';
import { subjectFor, type TopicSpec } from './topic-spec.js';

/** How the Avro payloads are declared: the schema JSON as registered (references inlined). */
export const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';
const KAFKA_BINDING = '0.5.0';

export interface AsyncApiOptions {
  /** Header name → description of the context headers every record carries (trace context, correlation id). */
  readonly contextHeaders: Readonly<Record<string, string>>;
  /** The cause headers of dead letters, e.g. the runtime's DLQ_HEADERS (`errorClass` → `spine.dlq.error.class`). */
  readonly deadLetterHeaders: Readonly<Record<string, string>>;
  /** Bootstrap broker(s) and schema registry URL the document names (no credentials). */
  readonly kafka?: { readonly brokers: readonly string[]; readonly secure?: boolean };
  readonly registryUrl?: string;
  readonly title?: string;
  readonly version?: string;
}

type Json = Record<string, unknown>;

/**
 * The platform as an AsyncAPI 3.0 document: one channel per registered topic (address = deployed name,
 * Kafka bindings from its declaration), its message with the Avro schema from the catalog and the key
 * schema, and the operations of every stage (receive its inputs in its group, send its outputs and dead
 * letters) and of HTTP ingestion. Deterministic: the same registry, deployment and schemas give the same JSON.
 */
export function asyncApiDocument(platform: Platform, deployment: Deployment, catalog: SchemaCatalog, options: AsyncApiOptions): Json {
  const brokers = options.kafka?.brokers.length ? options.kafka.brokers : ['127.0.0.1:9092'];
  const channels: Json = {};
  for (const spec of platform.topics) channels[spec.name] = channel(platform, resolveTopic(spec, deployment), catalog, options);
  const operations: Json = {};
  for (const stage of platform.stages) Object.assign(operations, stageOperations(platform, stage, deployment, catalog));
  for (const spec of platform.topics.filter((t) => t.ingest)) {
    operations[`ingestion.send.${spec.name}`] = {
      action: 'send',
      channel: ref('channels', spec.name),
      messages: [messageRef(spec, catalog)],
      title: `Ingest ${spec.ingest!.type}`,
      summary: `POST /v1/events with type "${spec.ingest!.type}" publishes here, keyed by the payload's ${spec.ingest!.key}.`,
      tags: [{ name: 'ingestion' }],
      'x-spine-service': 'ingestion',
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: options.title ?? 'Spine event backbone',
      version: options.version ?? '1',
      description:
        'Every topic, stage and consumer group of the Spine stage registry, with the Avro schemas the registry holds under ' +
        'TopicNameStrategy subjects (`<topic>-key`, `<topic>-value`). Records are Confluent wire format (magic byte, 4-byte schema id, Avro body). ' +
        'Generated from libs/platform and schemas/*.avsc by tools/asyncapi/generate.mjs; do not edit.',
      license: { name: 'Apache-2.0' },
      tags: [...platform.domains.map((d) => ({ name: d.name, description: d.description })), { name: 'platform', description: "The platform's own topics and stages (dead letters, the result sink)." }, { name: 'ingestion', description: 'HTTP ingestion: POST /v1/events.' }],
    },
    defaultContentType: 'application/octet-stream',
    servers: {
      kafka: {
        host: brokers[0],
        protocol: options.kafka?.secure ? 'kafka-secure' : 'kafka',
        description: `Kafka bootstrap broker${brokers.length > 1 ? `s ${brokers.join(', ')}` : ''}.${deployment.prefix ? ` Topics, subjects and groups carry the prefix "${deployment.prefix}".` : ''}`,
        bindings: { kafka: { schemaRegistryUrl: options.registryUrl ?? 'http://127.0.0.1:8081/apis/ccompat/v7', schemaRegistryVendor: 'confluent', bindingVersion: KAFKA_BINDING } },
      },
    },
    channels,
    operations,
  };
}

function ref(...path: string[]): { $ref: string } {
  return { $ref: `#/${path.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}` };
}

/** Message id within a topic's channel: the value schema's record name, or `DeadLetter` for raw topics. */
function messageId(spec: TopicSpec, catalog: SchemaCatalog): string {
  if (spec.value === null) return 'DeadLetter';
  const name = requireSchema(catalog, spec.value).type.name ?? spec.value;
  return name.slice(name.lastIndexOf('.') + 1);
}

function messageRef(spec: TopicSpec, catalog: SchemaCatalog): { $ref: string } {
  return ref('channels', spec.name, 'messages', messageId(spec, catalog));
}

/** The domain that declares a topic (or the stage whose dead letters it holds); `platform` for the platform's own. */
function domainOf(platform: Platform, spec: TopicSpec): string {
  const owner = platform.stages.find((s) => s.deadLetter.name === spec.name);
  const declares = (d: Platform['domains'][number]) => (owner ? Object.values(d.stages).includes(owner) : Object.values(d.topics).some((t) => t.name === spec.name));
  return platform.domains.find(declares)?.name ?? 'platform';
}

function channel(platform: Platform, topic: ResolvedTopic, catalog: SchemaCatalog, options: AsyncApiOptions): Json {
  // Kafka's configs are strings; the binding wants cleanup.policy as a list and numbers and flags typed.
  const topicConfiguration: Json = {};
  for (const [name, value] of Object.entries(topic.config)) {
    if (name === 'cleanup.policy') topicConfiguration[name] = value.split(',').map((p) => p.trim());
    else if (/^-?\d+$/.test(value)) topicConfiguration[name] = Number(value);
    else topicConfiguration[name] = value === 'true' ? true : value === 'false' ? false : value;
  }
  const message = topic.value === null ? deadLetterMessage(platform, topic.spec, options) : avroMessage(topic, catalog, options);
  return {
    address: topic.name,
    title: topic.spec.name,
    description: topic.description,
    messages: { [messageId(topic.spec, catalog)]: message },
    tags: [{ name: domainOf(platform, topic.spec) }],
    bindings: { kafka: { partitions: topic.partitions, replicas: topic.replicationFactor, topicConfiguration, bindingVersion: KAFKA_BINDING } },
  };
}

function headersSchema(options: AsyncApiOptions, deadLetter: boolean): JsonSchema {
  const properties: Json = {};
  for (const [name, description] of Object.entries(options.contextHeaders)) properties[name] = { type: 'string', description };
  if (!deadLetter) return { type: 'object', properties };
  for (const [key, name] of Object.entries(options.deadLetterHeaders)) {
    properties[name] = { type: 'string', description: `Dead-letter cause: ${key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}.` };
  }
  return {
    type: 'object',
    description: "The original record's headers (kept byte for byte) plus the cause headers.",
    properties,
    required: Object.values(options.deadLetterHeaders),
  };
}

const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/**
 * The registered schema with every dotted `name` written as `name` + `namespace`: the same Avro type (same
 * canonical form), in the shape AsyncAPI's Avro schema accepts (it wants names without dots).
 */
export function withNamespaces(schema: AvroJson): AvroJson {
  if (Array.isArray(schema)) return schema.map(withNamespaces);
  if (!schema || typeof schema !== 'object') return schema;
  const out: { [key: string]: AvroJson } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'fields' && Array.isArray(value)) {
      out.fields = value.map((f) => (f && typeof f === 'object' && !Array.isArray(f) && f.type !== undefined ? { ...f, type: withNamespaces(f.type) } : f));
    } else out[key] = key === 'type' || key === 'items' || key === 'values' ? withNamespaces(value) : value;
  }
  const name = schema.name;
  if (typeof schema.type === 'string' && NAMED.has(schema.type) && typeof name === 'string' && name.includes('.')) {
    const dot = name.lastIndexOf('.');
    out.name = name.slice(dot + 1);
    out.namespace = name.slice(0, dot);
  }
  return out;
}

function keySchema(topic: ResolvedTopic, schema: CatalogSchema): JsonSchema {
  const doc = (schema.json as { doc?: string }).doc;
  return {
    ...jsonSchemaOf(schema),
    description: `${doc ? `${doc} ` : ''}Avro schema ${schema.id}, registered as subject ${subjectFor(topic.name, 'key')}, Confluent wire format (shown here as JSON).`,
  };
}

function avroMessage(topic: ResolvedTopic, catalog: SchemaCatalog, options: AsyncApiOptions): Json {
  const value = requireSchema(catalog, topic.value!);
  const key = topic.key === null ? undefined : requireSchema(catalog, topic.key);
  const doc = (value.json as { doc?: string }).doc;
  return {
    name: value.type.name ?? value.id,
    title: messageId(topic.spec, catalog),
    ...(doc ? { summary: doc } : {}),
    description: `Value: Avro schema ${value.id} (schemas/${value.id}.avsc), registered as subject ${subjectFor(topic.name, 'value')}.`,
    contentType: 'application/octet-stream',
    headers: headersSchema(options, false),
    payload: { schemaFormat: AVRO_SCHEMA_FORMAT, schema: withNamespaces(value.json) },
    bindings: {
      kafka: {
        ...(key ? { key: keySchema(topic, key) } : {}),
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        schemaLookupStrategy: 'TopicNameStrategy',
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
}

function deadLetterMessage(platform: Platform, spec: TopicSpec, options: AsyncApiOptions): Json {
  const stage = platform.stages.find((s) => s.deadLetter.name === spec.name);
  const sources = stage ? ` from ${stage.inputs.map((t) => t.name).join(', ')}` : '';
  const raw = (what: string): JsonSchema => ({ type: 'string', format: 'binary', description: `The original record's ${what}, byte for byte (Confluent-framed Avro${sources}).` });
  return {
    name: 'spine.DeadLetter',
    title: 'DeadLetter',
    summary: `A record ${stage ? `the ${stage.name} stage` : 'a stage'} could not process, with its cause.`,
    contentType: 'application/octet-stream',
    headers: headersSchema(options, true),
    payload: raw('value'),
    bindings: { kafka: { key: raw('key'), bindingVersion: KAFKA_BINDING } },
  };
}

function stageOperations(platform: Platform, stage: StageSpec, deployment: Deployment, catalog: SchemaCatalog): Json {
  const operations: Json = {};
  const group = groupIdOf(stage, deployment);
  const common = { summary: stage.description, tags: [{ name: domainOf(platform, stage.deadLetter) }], 'x-spine-service': stage.service };
  for (const input of stage.inputs) {
    operations[`${stage.name}.receive.${input.name}`] = {
      action: 'receive',
      channel: ref('channels', input.name),
      messages: [messageRef(input, catalog)],
      title: `${stage.name} reads ${input.name}`,
      ...common,
      bindings: { kafka: { groupId: { type: 'string', enum: [group] }, bindingVersion: KAFKA_BINDING } },
    };
  }
  for (const output of [...stage.outputs, stage.deadLetter]) {
    operations[`${stage.name}.send.${output.name}`] = {
      action: 'send',
      channel: ref('channels', output.name),
      messages: [messageRef(output, catalog)],
      title: output === stage.deadLetter ? `${stage.name} dead-letters to ${output.name}` : `${stage.name} writes ${output.name}`,
      ...common,
    };
  }
  return operations;
}
