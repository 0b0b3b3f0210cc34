import { WireFormatError } from './errors.js';

/** Confluent wire format: byte 0 = magic 0, bytes 1..4 = schema id (big-endian), then the Avro binary body. */
export const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

export function unframe(bytes: Buffer | null | undefined): { schemaId: number; body: Buffer } {
  if (!bytes || bytes.length < HEADER_LENGTH) {
    throw new WireFormatError(`record of ${bytes?.length ?? 0} bytes is too short for the Confluent wire format (needs >= ${HEADER_LENGTH})`);
  }
  if (bytes[0] !== MAGIC_BYTE) {
    throw new WireFormatError(`record starts with byte 0x${bytes[0]!.toString(16).padStart(2, '0')}, not the Confluent magic byte 0x00`);
  }
  return { schemaId: bytes.readUInt32BE(1), body: bytes.subarray(HEADER_LENGTH) };
}
