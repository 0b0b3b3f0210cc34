import type { CardPayment } from './types.js';

// Bad input is rejected before it reaches SQL, with a message naming the payment and field, rather than
// surfacing as an opaque PostgreSQL cast error that fails the whole batch.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The Avro amount is decimal(12,2) and the column numeric(12,2), which would silently round a third fraction
// digit; such input is refused, because a rounded amount is a wrong amount.
const AMOUNT = /^-?\d{1,10}(?:\.\d{1,2})?$/;
const TEXT_FIELDS = ['cardId', 'customerId', 'merchantId', 'country'] as const;

/** Throws a RangeError naming `label` and the field unless `payment` can be stored as it is. */
export function assertPayment(payment: CardPayment, label: string): void {
  if (typeof payment.eventId !== 'string' || !UUID.test(payment.eventId)) {
    throw new RangeError(`${label}.eventId ${JSON.stringify(payment.eventId)} is not a UUID`);
  }
  for (const field of TEXT_FIELDS) {
    const value: unknown = payment[field];
    if (typeof value !== 'string' || value.length === 0) throw new RangeError(`${label}.${field} is not a non-empty string`);
    // PostgreSQL text cannot hold NUL; failing here names the field instead of failing the statement.
    if (value.includes('\u0000')) throw new RangeError(`${label}.${field} contains a NUL character`);
  }
  if (typeof payment.amount !== 'string' || !AMOUNT.test(payment.amount)) {
    throw new RangeError(
      `${label}.amount ${JSON.stringify(payment.amount)} is not a decimal with at most 10 integer and 2 fraction digits`,
    );
  }
  if (!(payment.occurredAt instanceof Date) || Number.isNaN(payment.occurredAt.getTime())) {
    throw new RangeError(`${label}.occurredAt is not a valid Date`);
  }
}
