/** How a watched field is binned: numeric fields by the reference's deciles, categorical ones one bin per value. */
export type FieldKind = 'numeric' | 'categorical';

/** One observed value, ready to bin: a number, a category, or `null` (missing or null: a category of its own). */
export type Observation = number | string | null;

/** A value the tracker cannot bin (bytes, records, arrays...), naming the field. */
export class UnsupportedValueError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`drift field "${field}": cannot watch a value of type ${describe(value)}; watch numeric (int, long, float, double, decimal), boolean, enum or string fields`);
    this.name = 'UnsupportedValueError';
  }
}

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'timestamp';
  return typeof value;
}

/**
 * A decoded Avro value as an observation of a field of `kind`: numbers (int, long as number or bigint, float, double,
 * decimal as its string) for numeric fields; booleans, enum symbols and strings for categorical ones; null or
 * undefined as `null`. Throws UnsupportedValueError for anything else.
 */
export function toObservation(field: string, kind: FieldKind, value: unknown): Observation {
  if (value === null || value === undefined) return null;
  if (kind === 'numeric') {
    const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (Number.isFinite(number)) return number;
    if (typeof value === 'number') return null; // NaN or infinite: no bin fits, counts as missing
    throw new UnsupportedValueError(field, value);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new UnsupportedValueError(field, value);
}

/** The kind of a field judged from its first non-null value (when no schema says). */
export function kindOfValue(value: unknown): FieldKind | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return 'numeric';
  if (typeof value === 'string' || typeof value === 'boolean') return 'categorical';
  return undefined;
}
