// Order amounts travel as strings and are summed by PostgreSQL's numeric type, so cents never pass through a
// float. The columns are numeric(14,2), which would silently round a third fraction digit; we reject such input
// instead, because a rounded amount is a wrong amount.
const AMOUNT = /^-?\d{1,12}(?:\.\d{1,2})?$/;

/** Throws unless `amount` is null or a decimal string that fits numeric(14,2) exactly. */
export function assertAmount(amount: string | null): void {
  if (amount !== null && !AMOUNT.test(amount)) {
    throw new RangeError(`orderAmount ${JSON.stringify(amount)} is not a decimal with at most 12 integer and 2 fraction digits`);
  }
}
