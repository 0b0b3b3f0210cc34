import type avro from 'avsc';
import { requireSchema, type SchemaCatalog } from '@spine/schemas';
import type { AvroSerde, RegistryClient } from '@spine/serde';
import { subjectFor, type SpineTopology, type TopicSpec } from '@spine/topology';
import type { TopicKey } from '../stage/types.js';

interface PartCodec {
  readonly schemaId: number;
  readonly reader: avro.Type;
}

/** Encoders/decoders for one topic: the registered schema ids for writing, the repo's schemas for reading. */
export class TopicCodec {
  constructor(
    readonly spec: TopicSpec,
    private readonly serde: AvroSerde,
    private readonly key: PartCodec | null,
    private readonly value: PartCodec | null,
  ) {}

  get name(): string {
    return this.spec.name;
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

/** Resolves every topic of the topology to its codec once, at start-up. */
export class TopicCodecs {
  private constructor(private readonly codecs: ReadonlyMap<TopicKey, TopicCodec>) {}

  static async create(topology: SpineTopology, catalog: SchemaCatalog, registry: RegistryClient, serde: AvroSerde): Promise<TopicCodecs> {
    const codecs = new Map<TopicKey, TopicCodec>();
    const part = async (spec: TopicSpec, which: 'key' | 'value'): Promise<PartCodec | null> => {
      const schemaId = spec[which];
      if (schemaId === null) return null;
      const schema = requireSchema(catalog, schemaId);
      const subject = subjectFor(spec.name, which);
      // Look up only: registering (and its compatibility gate) is provisioning's job, not a service's.
      const id = await registry.lookup(subject, schema.text);
      if (id === undefined) {
        throw new Error(`schema ${schemaId} is not registered under subject ${subject}: run \`./spine provision\` (with the same SPINE_TOPIC_PREFIX) first`);
      }
      return { schemaId: id, reader: schema.type };
    };
    for (const [key, spec] of Object.entries(topology.topics) as [TopicKey, TopicSpec][]) {
      codecs.set(key, new TopicCodec(spec, serde, await part(spec, 'key'), await part(spec, 'value')));
    }
    return new TopicCodecs(codecs);
  }

  get(topic: TopicKey): TopicCodec {
    const codec = this.codecs.get(topic);
    if (!codec) throw new Error(`unknown topic key "${topic}"; known: ${[...this.codecs.keys()].join(', ')}`);
    return codec;
  }
}
