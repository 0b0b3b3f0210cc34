/**
 * An AI result's Avro value as JSON, as the store keeps it and webhooks send it: dates as ISO strings
 * (Date.toJSON), decimals stay exact strings, bytes as base64. Pure.
 */
export function toResultJson(value: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key];
      return Buffer.isBuffer(raw) ? raw.toString('base64') : v;
    }),
  ) as Record<string, unknown>;
}
