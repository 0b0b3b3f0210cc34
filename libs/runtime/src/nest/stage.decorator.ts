import { SetMetadata } from '@nestjs/common';
import type { StageSpec } from '@spine/topology';
import type { StageHandler } from '../stage/types.js';
import { STAGE_METADATA, type MiddlewareRef } from './tokens.js';

export interface StageMetadata {
  readonly spec: StageSpec;
  readonly middlewares: readonly MiddlewareRef[];
}

/**
 * Marks a provider method as the handler of a registered stage. The method's types are checked against
 * the registry entry: its parameter must accept the input topics' records, and it may only return
 * records for the declared outputs, each typed by its topic's schema (a wrong value is a compile error).
 * The runtime discovers it at bootstrap and does all the Kafka work around it. Nest guards and
 * interceptors on the method apply (context type `spine`); `middlewares` run inside the service's own.
 */
export function Stage<S extends StageSpec>(spec: S, options: { middlewares?: readonly MiddlewareRef[] } = {}) {
  const metadata: StageMetadata = { spec, middlewares: options.middlewares ?? [] };
  return <M extends StageHandler<S>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(STAGE_METADATA, metadata)(target, key, descriptor);
  };
}

