import type avro from 'avsc';
import { SchemaMismatchError, SchemaValidationError, SerdeError } from './errors.js';
import type { RegistryClient } from './registry-client.js';
import { collectIssues } from './validation.js';
import { frame, unframe } from './wire-format.js';

export interface Decoded<T> {
  readonly value: T;
  /** The writer's schema id, from the record's header bytes. */
  readonly schemaId: number;
}

/** Encodes values to, and decodes them from, the Confluent wire format with Avro bodies. */
export class AvroSerde {
  private readonly resolvers = new Map<string, avro.Resolver>();

  constructor(private readonly registry: RegistryClient) {}

  /** Validates `value` against the schema registered as `schemaId` and frames it. Invalid values throw naming each field. */
  async encode(schemaId: number, value: unknown): Promise<Buffer> {
    const type = await this.registry.schemaById(schemaId);
    const issues = collectIssues(type, value);
    if (issues.length) throw new SchemaValidationError(type.name ?? String(type.schema()), issues);
    return frame(schemaId, type.toBuffer(value));
  }

  /**
   * Reads a framed record. With `reader`, the writer's data is resolved into the reader's schema (Avro schema
   * evolution), so a consumer keeps its own view while producers move on compatibly.
   */
  async decode<T>(bytes: Buffer | null | undefined, reader?: avro.Type): Promise<Decoded<T>> {
    const { schemaId, body } = unframe(bytes);
    const writer = await this.registry.schemaById(schemaId);
    try {
      if (!reader || reader.equals(writer)) return { value: writer.fromBuffer(body) as T, schemaId };
      return { value: reader.fromBuffer(body, this.resolver(schemaId, reader, writer)) as T, schemaId };
    } catch (error) {
      if (error instanceof SerdeError) throw error;
      throw new SchemaMismatchError(`record with schema id ${schemaId} cannot be read${reader ? ` as ${reader.name ?? 'the reader schema'}` : ''}: ${(error as Error).message}`, { cause: error });
    }
  }

  private resolver(schemaId: number, reader: avro.Type, writer: avro.Type): avro.Resolver {
    const key = `${schemaId}:${reader.fingerprint().toString('hex')}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      resolver = reader.createResolver(writer);
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}
