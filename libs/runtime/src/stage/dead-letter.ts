import type { KafkaMessage, Message } from 'kafkajs';

/** Headers a dead-letter record carries besides the original ones. Any language can read them. */
export const DLQ_HEADERS = {
  errorClass: 'spine.dlq.error.class',
  errorMessage: 'spine.dlq.error.message',
  stage: 'spine.dlq.stage',
  group: 'spine.dlq.group',
  sourceTopic: 'spine.dlq.source.topic',
  sourcePartition: 'spine.dlq.source.partition',
  sourceOffset: 'spine.dlq.source.offset',
  attempts: 'spine.dlq.attempts',
  failedAt: 'spine.dlq.failed.at',
} as const;

export interface DeadLetterCause {
  readonly error: unknown;
  readonly stage: string;
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly attempts: number;
}

/** The original key, value and headers untouched (bytes for bytes), plus the cause in spine.dlq.* headers. */
export function deadLetterMessage(original: KafkaMessage, cause: DeadLetterCause): Message {
  const error = cause.error instanceof Error ? cause.error : new Error(String(cause.error));
  const headers: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(original.headers ?? {})) {
    if (value !== undefined && !name.startsWith('spine.dlq.')) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  Object.assign(headers, {
    [DLQ_HEADERS.errorClass]: error.name || error.constructor.name,
    [DLQ_HEADERS.errorMessage]: error.message.slice(0, 2_000),
    [DLQ_HEADERS.stage]: cause.stage,
    [DLQ_HEADERS.group]: cause.group,
    [DLQ_HEADERS.sourceTopic]: cause.topic,
    [DLQ_HEADERS.sourcePartition]: String(cause.partition),
    [DLQ_HEADERS.sourceOffset]: original.offset,
    [DLQ_HEADERS.attempts]: String(cause.attempts),
    [DLQ_HEADERS.failedAt]: new Date().toISOString(),
  });
  return { key: original.key, value: original.value, headers, timestamp: original.timestamp };
}
