import { randomUUID } from 'node:crypto';

/** Header that carries the business correlation id across every hop (HTTP and Kafka). */
export const CORRELATION_HEADER = 'x-correlation-id';

export function correlationIdFrom(headers: Readonly<Record<string, string | undefined>>): string {
  const value = headers[CORRELATION_HEADER];
  return value && value.length <= 200 ? value : randomUUID();
}
