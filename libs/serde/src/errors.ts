/** Errors the serde raises. `permanent` ones go straight to the dead-letter topic; retrying cannot help. */

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `metadata.eventId`; `(root)` for the value itself. */
  readonly field: string;
  readonly message: string;
}

export abstract class SerdeError extends Error {
  abstract readonly permanent: boolean;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The value does not match its schema; names every offending field. */
export class SchemaValidationError extends SerdeError {
  readonly permanent = true;
  constructor(
    readonly schemaName: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`value does not match schema ${schemaName}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

/** The bytes are not in the Confluent wire format (magic byte 0 + 4-byte schema id + Avro body). */
export class WireFormatError extends SerdeError {
  readonly permanent = true;
}

/** The record names a schema id the registry does not know. */
export class UnknownSchemaIdError extends SerdeError {
  readonly permanent = true;
  constructor(readonly schemaId: number) {
    super(`schema id ${schemaId} is not known to the schema registry`);
  }
}

/** The Avro body cannot be read with the writer schema, or the writer schema cannot be read as the reader's. */
export class SchemaMismatchError extends SerdeError {
  readonly permanent = true;
}

/** The registry did not answer; worth retrying. */
export class RegistryUnavailableError extends SerdeError {
  readonly permanent = false;
}
