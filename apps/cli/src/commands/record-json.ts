import type { KafkaMessage } from 'kafkajs';
import type { CatalogSchema } from '@spine/schemas';
import { AvroSerde, RegistryClient, RegistryUnavailableError, toJson } from '@spine/serde';

/** One part of a record (key or value) as an operator reads it. */
export type Part = { readonly json: unknown; readonly schemaId: number } | { readonly base64: string; readonly error: string };

/** Decodes Confluent-framed Avro through the registry into JSON (`toJson`: decimals as strings, times as ISO). */
export class RecordDecoder {
  private readonly registry = RegistryClient.fromEnv();
  private readonly serde = new AvroSerde(this.registry);

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

export function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return headers;
}

export function timestampOf(message: KafkaMessage): string {
  return new Date(Number(message.timestamp)).toISOString();
}

/**
 * kafkajs logs warnings through console.log; a command whose stdout is data (`--json`, records) sends them
 * to stderr with the progress lines instead, and drops one known, harmless Node warning.
 */
export function keepStdoutForData(): void {
  console.log = (...args: unknown[]) => console.error(...args);
  // kafkajs 2.2.4 schedules a timer with a negative delay on every connect; Node 24 warns about it each time.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning') console.error(`${warning.name}: ${warning.message}`);
  });
}
