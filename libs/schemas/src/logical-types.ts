import avro from 'avsc';

/**
 * avsc ignores logical types unless given implementations. These map Avro's logical types onto the
 * TypeScript types that codegen emits, so values round-trip exactly:
 *   timestamp-millis -> Date, uuid -> string (validated), decimal -> string ("12.50", never a float).
 */

class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(millis: number): Date {
    return new Date(millis);
  }
  protected override _toValue(value: unknown): number | undefined {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
    return undefined; // avsc reports undefined as "invalid value" at this field's path
  }
  protected override _resolve(type: avro.Type): ((v: number) => number) | undefined {
    return avro.Type.isType(type, 'long', 'int', 'logical:timestamp-millis') ? (v: number) => v : undefined;
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class UuidType extends avro.types.LogicalType {
  protected override _fromValue(value: string): string {
    return value;
  }
  protected override _toValue(value: unknown): string | undefined {
    return typeof value === 'string' && UUID_PATTERN.test(value) ? value : undefined;
  }
  protected override _resolve(type: avro.Type): ((v: string) => string) | undefined {
    return avro.Type.isType(type, 'string', 'logical:uuid') ? (v: string) => v : undefined;
  }
}

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Avro decimal over bytes: big-endian two's complement of the unscaled integer. */
export class DecimalType extends avro.types.LogicalType {
  private readonly precision: number;
  private readonly scale: number;

  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts);
    const s = schema as { precision?: number; scale?: number };
    this.precision = s.precision ?? 0;
    this.scale = s.scale ?? 0;
    if (!Number.isInteger(this.precision) || this.precision < 1) throw new Error('decimal: precision must be a positive integer');
    if (!Number.isInteger(this.scale) || this.scale < 0 || this.scale > this.precision) {
      throw new Error('decimal: scale must be an integer between 0 and precision');
    }
  }

  protected override _fromValue(bytes: Buffer): string {
    return formatUnscaled(fromTwosComplement(bytes), this.scale);
  }

  protected override _toValue(value: unknown): Buffer | undefined {
    const unscaled = typeof value === 'string' ? parseUnscaled(value, this.scale) : undefined;
    if (unscaled === undefined) return undefined;
    const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
    if (digits > this.precision) return undefined;
    return toTwosComplement(unscaled);
  }

  protected override _resolve(type: avro.Type): ((v: Buffer) => Buffer) | undefined {
    if (type instanceof DecimalType && type.scale === this.scale && type.precision <= this.precision) return (v) => v;
    return undefined;
  }

  protected override _export(attrs: avro.Schema): void {
    Object.assign(attrs as object, { precision: this.precision, scale: this.scale });
  }
}

/** "12.5" with scale 2 -> 1250n; more fractional digits than the scale is refused, not rounded. */
function parseUnscaled(text: string, scale: number): bigint | undefined {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > scale) return undefined;
  const unscaled = BigInt(whole + fraction.padEnd(scale, '0'));
  return sign ? -unscaled : unscaled;
}

function formatUnscaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

function toTwosComplement(value: bigint): Buffer {
  let hex = (value < 0n ? -value : value).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (value < 0n) {
    const bits = BigInt(bytes.length * 8);
    let twos = (1n << bits) + value;
    // Need a leading 1 bit for negatives; widen by one byte if the top bit is clear.
    if (!(twos >> (bits - 1n))) twos += 0xffn << bits;
    hex = twos.toString(16);
    bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  } else if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) {
    bytes = Buffer.concat([Buffer.from([0]), bytes]);
  }
  return bytes;
}

function fromTwosComplement(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(`0x${bytes.toString('hex')}`);
  return (bytes[0]! & 0x80) !== 0 ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned;
}

/**
 * Options every Spine avsc Type is built with (also handed to the schema-registry client). A fresh object
 * per call: avsc stores its registry of named types on the options object it is given, so a shared one
 * would make the next schema that uses the same named type fail as a "duplicate type name".
 */
export function avroTypeOptions(): Partial<avro.ForSchemaOptions> {
  return {
    logicalTypes: {
      'timestamp-millis': TimestampMillisType,
      uuid: UuidType,
      decimal: DecimalType,
    },
  };
}
