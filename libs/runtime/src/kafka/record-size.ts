import type { Message } from 'kafkajs';

/** Bytes of a record batch's own header (magic v2), before its records. */
export const BATCH_OVERHEAD_BYTES = 61;

/**
 * An upper bound on the bytes a message takes inside an uncompressed v2 record batch: its length, attributes,
 * timestamp and offset deltas (counted at their widest for a batch of a few thousand records over minutes),
 * key, value and headers with their varint lengths. The broker compares the whole batch with the topic's
 * `max.message.bytes`; over-counting by a few bytes keeps every send the producer forms under it.
 */
export function recordBytes(message: Pick<Message, 'key' | 'value' | 'headers'>): number {
  let body = 1 /* attributes */ + 4 /* timestamp delta */ + 2 /* offset delta */;
  body += lengthPrefixed(byteLength(message.key));
  body += lengthPrefixed(byteLength(message.value));
  const headers = Object.entries(message.headers ?? {}).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => [name, v] as const) : [[name, value] as const]));
  body += varintBytes(headers.length);
  for (const [name, value] of headers) body += lengthPrefixed(Buffer.byteLength(name)) + lengthPrefixed(byteLength(value));
  return varintBytes(body) + body;
}

function byteLength(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return -1;
  return Buffer.isBuffer(data) ? data.length : Buffer.byteLength(data);
}

/** A varint length (-1 for null) followed by that many bytes. */
function lengthPrefixed(length: number): number {
  return varintBytes(length) + Math.max(length, 0);
}

/** Bytes of a zig-zag varint. */
function varintBytes(value: number): number {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 0x80);
    bytes++;
  }
  return bytes;
}
