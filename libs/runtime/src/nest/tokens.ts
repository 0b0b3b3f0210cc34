export const SPINE_RUNTIME_OPTIONS = Symbol('SPINE_RUNTIME_OPTIONS');
export const STAGE_METADATA = 'spine:stage';

export interface SpineRuntimeOptions {
  /** Service name: client id, trace service name, log field. */
  readonly service: string;
}
