import type { KafkaMessage } from 'kafkajs';
import type { CatalogSchema } from '@spine/schemas';
import { AvroSerde, RegistryClient, RegistryUnavailableError, toJson } from '@spine/serde';

/** One part of a record (key or value) as an operator reads it. */
export type Part = { readonly json: unknown; readonly schemaId: number } | { readonly base64: string; readonly error: string };

/** Decodes Confluent-framed Avro through the registry into JSON (`toJson`: decimals as strings, times as ISO). */
export class RecordDecoder {
  private readonly registry: RegistryClient;
  private readonly serde: AvroSerde;

  constructor(registry: RegistryClient = RegistryClient.fromEnv()) {
    this.registry = registry;
    this.serde = new AvroSerde(registry);
  }

  /**
   * The writer's schema (looked up by the record's schema id), or resolved into `reader` (e.g. the source
   * topic's schema). Bytes that do not decode come back as base64 with the reason; a registry outage throws.
   */
  async part(bytes: Buffer | null, reader?: CatalogSchema): Promise<Part | null> {
    if (bytes === null) return null;
    try {
      const { value, schemaId } = await this.serde.decode(bytes, reader?.type);
      return { json: toJson(reader ?? (await this.registry.schemaById(schemaId)), value), schemaId };
    } catch (error) {
      if (error instanceof RegistryUnavailableError) throw error;
      return { base64: bytes.toString('base64'), error: (error as Error).message };
    }
  }
}

/** `{ key: <json> }` when the part decoded, else `{ key: null, keyBase64, keyError }`. */
export function partFields(name: 'key' | 'value', part: Part | null): Record<string, unknown> {
  if (part === null) return { [name]: null };
  if ('json' in part) return { [name]: part.json };
  return { [name]: null, [`${name}Base64`]: part.base64, [`${name}Error`]: part.error };
}

/** A record's headers as text (a repeated header joined with commas). */
export function headersOf(message: Pick<KafkaMessage, 'headers'>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return headers;
}

/** A record's timestamp as ISO-8601. */
export function timestampOf(message: Pick<KafkaMessage, 'timestamp'>): string {
  return new Date(Number(message.timestamp)).toISOString();
}
