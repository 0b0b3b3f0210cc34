import type { KeyOf, StageSpec, TopicSpec, ValueOf } from '@spine/topology';

/** A decoded input record, with where it came from and the attempt's deadline. */
export interface InboundMessage<V, K = string> {
  readonly key: K | null;
  readonly value: V;
  readonly headers: Readonly<Record<string, string>>;
  /** The topic as deployed (prefix included). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  /** Correlation id from the `x-correlation-id` header (created when missing). */
  readonly correlationId: string;
  /** 1 on first delivery to the handler, 2.. on in-process retries. */
  readonly attempt: number;
  /** Aborted when the attempt passes its deadline (the stage's `deadlineMs`): pass it to model calls. */
  readonly signal: AbortSignal;
}

/**
 * A record a handler asks the runtime to produce: `topic` is the declaration of one of the stage's
 * outputs, and key and value are typed by that topic's schemas. The runtime encodes, produces
 * (acks=all) and only then commits the input.
 */
export interface Emit<T extends TopicSpec = TopicSpec> {
  readonly topic: T;
  readonly key: KeyOf<T> | null;
  readonly value: ValueOf<T>;
  readonly headers?: Readonly<Record<string, string>>;
}

type InputsOf<S> = S extends StageSpec<infer I, TopicSpec> ? I : never;
type OutputsOf<S> = S extends StageSpec<TopicSpec, infer O> ? O : never;
type Inbound<I> = I extends TopicSpec ? InboundMessage<ValueOf<I>, KeyOf<I>> : never;
type Outbound<O> = O extends TopicSpec ? Emit<O> : never;

/** What a stage's handler receives: one of its input topics' records (a union when it reads several). */
export type InboundFor<S extends StageSpec> = Inbound<InputsOf<S>>;
/** What a stage's handler may emit: a record for one of its declared outputs, typed by that output. */
export type EmitFor<S extends StageSpec> = Outbound<OutputsOf<S>>;
export type StageResult<S extends StageSpec> = EmitFor<S> | readonly EmitFor<S>[] | void;
export type StageHandler<S extends StageSpec = StageSpec> = (message: InboundFor<S>) => Promise<StageResult<S>>;

/** A batch stage's handler: records in, one result (or Error, for that record alone) per record, in order. */
export type BatchStageHandler<S extends StageSpec = StageSpec> = (messages: readonly InboundFor<S>[]) => Promise<ReadonlyArray<StageResult<S> | Error>>;
