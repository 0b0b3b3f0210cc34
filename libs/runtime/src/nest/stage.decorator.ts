import { SetMetadata } from '@nestjs/common';
import type { StageSpec } from '@spine/topology';
import type { BatchStageHandler, StageHandler } from '../stage/types.js';
import { STAGE_METADATA, type MiddlewareRef } from './tokens.js';

export interface StageMetadata {
  readonly spec: StageSpec;
  readonly middlewares: readonly MiddlewareRef[];
  /** The handler takes a batch of records (see @BatchStage). */
  readonly batch: boolean;
}

/**
 * Marks a provider method as the handler of a registered stage. The method's types are checked against
 * the registry entry: its parameter must accept the input topics' records, and it may only return
 * records for the declared outputs, each typed by its topic's schema (a wrong value is a compile error).
 * The runtime discovers it at bootstrap and does all the Kafka work around it. Nest guards and
 * interceptors on the method apply (context type `spine`); `middlewares` run inside the service's own.
 */
export function Stage<S extends StageSpec>(spec: S, options: { middlewares?: readonly MiddlewareRef[] } = {}) {
  const metadata: StageMetadata = { spec, middlewares: options.middlewares ?? [], batch: false };
  return <M extends StageHandler<S>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(STAGE_METADATA, metadata)(target, key, descriptor);
  };
}


/**
 * Like @Stage, for a handler that takes records in batches (the registry entry's `batch`: at most maxSize
 * records, waiting at most maxWaitMs): one database round trip or model call for many records. It returns
 * one result per record, in order; an Error in a slot fails that record alone (retried, then dead-lettered).
 * Every record still goes through the middlewares on its own (decode, deadline, retry, dead letter), per-key
 * order holds (a batch never holds two records of one key), and outputs are produced together.
 */
export function BatchStage<S extends StageSpec>(spec: S, options: { middlewares?: readonly MiddlewareRef[] } = {}) {
  if (!spec.batch) throw new Error(`@BatchStage(${spec.name}): the registry entry has no \`batch\` options; declare the stage with batch: { maxSize, maxWaitMs }`);
  const metadata: StageMetadata = { spec, middlewares: options.middlewares ?? [], batch: true };
  return <M extends BatchStageHandler<S>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(STAGE_METADATA, metadata)(target, key, descriptor);
  };
}
