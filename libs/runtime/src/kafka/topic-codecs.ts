import type avro from 'avsc';
import { requireSchema, type SchemaCatalog } from '@spine/schemas';
import type { AvroSerde, RegistryClient } from '@spine/serde';
import { resolveTopic, subjectFor, type Deployment, type ResolvedTopic, type TopicSpec } from '@spine/topology';

interface PartCodec {
  readonly schemaId: number;
  readonly reader: avro.Type;
}

/** Encoders/decoders for one topic: the registered schema ids for writing, the repo's schemas for reading. */
export class TopicCodec {
  constructor(
    readonly topic: ResolvedTopic,
    private readonly serde: AvroSerde,
    private readonly key: PartCodec | null,
    private readonly value: PartCodec | null,
  ) {}

  /** The topic's name as deployed (prefix included). */
  get name(): string {
    return this.topic.name;
  }

  async encodeKey(key: unknown): Promise<Buffer | null> {
    if (key === null || key === undefined) return null;
    if (!this.key) return Buffer.isBuffer(key) ? key : Buffer.from(String(key));
    return this.serde.encode(this.key.schemaId, key);
  }

  async encodeValue(value: unknown): Promise<Buffer> {
    if (!this.value) {
      if (!Buffer.isBuffer(value)) throw new TypeError(`topic ${this.name} carries raw bytes; got ${typeof value}`);
      return value;
    }
    return this.serde.encode(this.value.schemaId, value);
  }

  async decodeKey(bytes: Buffer | null): Promise<unknown> {
    if (bytes === null) return null;
    if (!this.key) return bytes.toString();
    return (await this.serde.decode(bytes, this.key.reader)).value;
  }

  async decodeValue<V>(bytes: Buffer | null): Promise<V> {
    if (!this.value) return bytes as V;
    return (await this.serde.decode<V>(bytes, this.value.reader)).value;
  }
}

/**
 * Codecs of the topics a process actually uses, resolved when first asked for (a stage resolves its
 * inputs, outputs and dead-letter topic at start), so a process never depends on topics it does not touch.
 */
export class TopicCodecs {
  private readonly resolving = new Map<string, Promise<TopicCodec>>();
  private readonly byBaseName = new Map<string, TopicCodec>();
  private readonly byDeployedName = new Map<string, TopicCodec>();

  constructor(
    readonly deployment: Deployment,
    private readonly catalog: SchemaCatalog,
    private readonly registry: RegistryClient,
    private readonly serde: AvroSerde,
  ) {}

  /** Looks up the topic's registered schemas (once); fails with what to do when they are not registered. */
  resolve(spec: TopicSpec): Promise<TopicCodec> {
    let pending = this.resolving.get(spec.name);
    if (!pending) {
      pending = this.create(spec).then((codec) => {
        this.byBaseName.set(spec.name, codec);
        this.byDeployedName.set(codec.name, codec);
        return codec;
      });
      pending.catch(() => this.resolving.delete(spec.name)); // a registry outage at start is retried on the next call
      this.resolving.set(spec.name, pending);
    }
    return pending;
  }

  resolveAll(specs: readonly TopicSpec[]): Promise<TopicCodec[]> {
    return Promise.all(specs.map((spec) => this.resolve(spec)));
  }

  /** A codec resolved before (by declaration). */
  get(spec: TopicSpec): TopicCodec {
    const codec = this.byBaseName.get(spec.name);
    if (!codec) throw new Error(`topic ${spec.name} was not resolved by this process: declare it among the stage's inputs or outputs, or in SpineRuntimeModule's \`publishes\``);
    return codec;
  }

  /** A codec resolved before, by its deployed name (what the consumer reports). */
  byName(deployedName: string): TopicCodec {
    const codec = this.byDeployedName.get(deployedName);
    if (!codec) throw new Error(`topic ${deployedName} was not resolved by this process`);
    return codec;
  }

  private async create(spec: TopicSpec): Promise<TopicCodec> {
    const topic = resolveTopic(spec, this.deployment);
    const part = async (which: 'key' | 'value'): Promise<PartCodec | null> => {
      const schemaId = topic[which];
      if (schemaId === null) return null;
      const schema = requireSchema(this.catalog, schemaId);
      const subject = subjectFor(topic.name, which);
      // Look up only: registering (and its compatibility gate) is provisioning's job, not a service's.
      const id = await this.registry.lookup(subject, schema.text);
      if (id === undefined) {
        throw new Error(`schema ${schemaId} is not registered under subject ${subject}: run \`./spine provision\` (with the same SPINE_TOPIC_PREFIX) first`);
      }
      return { schemaId: id, reader: schema.type };
    };
    return new TopicCodec(topic, this.serde, await part('key'), await part('value'));
  }
}
