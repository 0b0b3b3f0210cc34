import { isISO8601, isRFC3339, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * An ISO-8601 date-time with a time and a zone (RFC 3339 profile), and a real calendar date:
 * `2024-05-01T12:30:00Z`, `2024-05-01T14:30:00.250+02:00`. A bare date, or a time without a zone,
 * would be read in the server's time zone, so they are refused.
 */
export function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && isRFC3339(value) && isISO8601(value, { strict: true });
}

export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTime',
      validator: {
        validate: (value) => isDateTime(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an ISO-8601 date-time with a time zone, e.g. 2024-05-01T12:30:00Z`,
      },
    },
    options,
  );
}
