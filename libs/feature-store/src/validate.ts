import { assertAmount } from './decimal.js';
import type { FeatureUpdate } from './types.js';

// Bad input is rejected before it reaches SQL, with a message naming the field, rather than surfacing as an
// opaque PostgreSQL cast error halfway through a transaction.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_INT4 = 2_147_483_647;

export function assertUpdate(update: FeatureUpdate): void {
  if (!UUID.test(update.eventId)) throw new RangeError(`eventId ${JSON.stringify(update.eventId)} is not a UUID`);
  if (update.customerId.length === 0) throw new RangeError('customerId is empty');
  if (!(update.occurredAt instanceof Date) || Number.isNaN(update.occurredAt.getTime())) {
    throw new RangeError('occurredAt is not a valid Date');
  }
  if (!Number.isInteger(update.bodyLength) || update.bodyLength < 0 || update.bodyLength > MAX_INT4) {
    throw new RangeError(`bodyLength ${update.bodyLength} is not a non-negative 32-bit integer`);
  }
  assertAmount(update.orderAmount);
}
