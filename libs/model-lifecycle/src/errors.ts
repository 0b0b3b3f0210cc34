/** A model registry or routing change that cannot be made as asked (unknown stage or version, bad percent, ...). */
export class ModelControlError extends Error {
  constructor(
    message: string,
    /** `not_found` for an unknown stage or version, `invalid` for a change that does not make sense. */
    readonly code: 'not_found' | 'invalid' = 'invalid',
  ) {
    super(message);
    this.name = 'ModelControlError';
  }
}
