import type { KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS } from '@spine/runtime';
import { requireSchema, type SchemaCatalog } from '@spine/schemas';
import { resolveTopic, type Deployment, type TopicSpec } from '@spine/topology';
import { headersOf, partFields, timestampOf, type Part, type RecordDecoder } from './record-decoder.js';

/** The cause headers of a dead letter, by DLQ_HEADERS key (`errorClass`, `errorMessage`, `sourceTopic`, ...). */
export type DeadLetterCause = Record<keyof typeof DLQ_HEADERS, string | null>;

/** A dead letter as an operator reads it: where it is, why it failed, and the original record decoded where it decodes. */
export interface ShownLetter {
  partition: number;
  offset: string;
  cause: DeadLetterCause;
  original: Record<string, unknown>;
}

/** What decoding a dead letter needs: the registry's topics as deployed, the schema catalog and a decoder. */
export interface DecodingContext {
  readonly topics: readonly TopicSpec[];
  readonly deployment: Deployment;
  readonly catalog: SchemaCatalog;
  readonly decoder: RecordDecoder;
}

/** The cause headers of a dead-letter record. */
export function causeOf(message: Pick<KafkaMessage, 'headers'>): DeadLetterCause {
  const headers = headersOf(message);
  return Object.fromEntries(Object.entries(DLQ_HEADERS).map(([key, header]) => [key, headers[header] ?? null])) as DeadLetterCause;
}

/** Cause headers plus the original key and value, decoded through its source topic's schema (base64 with the reason where not). */
export async function decodeDeadLetter(partition: number, message: Pick<KafkaMessage, 'headers' | 'key' | 'value' | 'offset' | 'timestamp'>, context: DecodingContext): Promise<ShownLetter> {
  const headers = headersOf(message);
  const sourceTopic = headers[DLQ_HEADERS.sourceTopic];
  const source = context.topics.find((t) => resolveTopic(t, context.deployment).name === sourceTopic);
  const through = async (part: 'key' | 'value', bytes: Buffer | null): Promise<Part | null> => {
    if (bytes === null) return null;
    const id = source?.[part];
    if (!id) return { base64: bytes.toString('base64'), error: source ? `${part} of ${sourceTopic} is raw bytes` : `source topic ${sourceTopic ?? '(none)'} is not a registered topic of this deployment` };
    return context.decoder.part(bytes, requireSchema(context.catalog, id));
  };
  const original = Object.fromEntries(Object.entries(headers).filter(([h]) => !h.startsWith('spine.dlq.')));
  return {
    partition,
    offset: message.offset,
    cause: causeOf(message),
    original: { topic: sourceTopic ?? null, timestamp: timestampOf(message), ...partFields('key', await through('key', message.key)), ...partFields('value', await through('value', message.value)), headers: original },
  };
}
