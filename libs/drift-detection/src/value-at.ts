/**
 * The value at a dot path of a decoded record (`valueAt(record, 'features.amountToCardAvg')`); `undefined` when any
 * step is missing or not an object. Domain-free: it knows nothing of the record's schema.
 */
export function valueAt(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object' || Buffer.isBuffer(current)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}
