import type { KafkaMessage } from 'kafkajs';
import type { StageSpec } from '@spine/topology';
import type { SpineProducer } from '../kafka/producer.js';
import type { TopicCodecs } from '../kafka/topic-codecs.js';
import type { SpineMetrics } from '../ops/metrics.js';
import type { Emit, InboundMessage } from '../stage/types.js';

export type Log = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

/** What the built-in middlewares use; one per process, shared by its stages. */
export interface StageServices {
  readonly codecs: TopicCodecs;
  readonly producer: SpineProducer;
  readonly metrics: SpineMetrics;
  readonly log: Log;
  /** The stage's consumer group as deployed (prefix included). */
  readonly groupId: string;
}

/**
 * One record on its way through a stage's middlewares (the execution context of a record). Built-ins fill
 * it in as the record goes inwards: correlation id, attempt and deadline signal, then the decoded message.
 */
export interface RecordContext {
  readonly stage: StageSpec;
  readonly services: StageServices;
  /** The record as fetched: bytes for bytes (what a dead letter carries). */
  readonly record: KafkaMessage;
  readonly topic: string;
  readonly partition: number;
  readonly headers: Record<string, string>;
  correlationId: string;
  attempt: number;
  signal: AbortSignal;
  /** Decoded input; set by the decode middleware, for the middlewares inside it and the handler. */
  message: InboundMessage<unknown, unknown> | undefined;
  /** Set by the dead-letter middleware when the record went to the dead-letter topic. */
  deadLettered: boolean;
  /** Free-form state app middlewares share along the chain (e.g. a cache key). */
  readonly state: Map<string | symbol, unknown>;
}

export type Next = () => Promise<readonly Emit[]>;

/**
 * A step around a stage's handler, Koa-style: do something, call `next()` (or don't: a cache can answer
 * itself), look at what came back, or catch what went wrong. Returns the records to produce.
 */
export type StageMiddleware = (context: RecordContext, next: Next) => Promise<readonly Emit[]>;

/** Composes middlewares outermost first around `innermost`. */
export function compose(middlewares: readonly StageMiddleware[], innermost: (context: RecordContext) => Promise<readonly Emit[]>) {
  return (context: RecordContext): Promise<readonly Emit[]> => {
    const dispatch = (i: number): Promise<readonly Emit[]> => {
      const middleware = middlewares[i];
      if (!middleware) return innermost(context);
      // next() may run more than once: a retry middleware runs the rest of the chain again.
      return middleware(context, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
