import type { IHeaders } from 'kafkajs';
import type { SpineTopology } from '@spine/topology';

/** Names of the topics of Spine's topology (e.g. 'supportMessages'); resolved with the running prefix. */
export type TopicKey = keyof SpineTopology['topics'];

/** A decoded input record, with where it came from. */
export interface InboundMessage<V, K = string> {
  readonly key: K | null;
  readonly value: V;
  readonly headers: Readonly<Record<string, string>>;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  /** Correlation id from the `x-correlation-id` header (created when missing). */
  readonly correlationId: string;
  /** 1 on first delivery to the handler, 2.. on in-process retries. */
  readonly attempt: number;
}

/** A record a handler asks the runtime to produce. The runtime encodes, produces (acks=all) and only then commits. */
export interface Emit<V = unknown, K = string> {
  readonly topic: TopicKey;
  readonly key: K | null;
  readonly value: V;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a stage declares; everything else (delivery, order, retries, DLQ, tracing, metrics) is the runtime's job. */
export interface StageOptions {
  /** Stage name: used for the default consumer group (`spine.<name>`), metrics labels and dead-letter headers. */
  readonly name: string;
  readonly input: TopicKey;
  /** Topics the handler may emit to (checked at start-up; an emit elsewhere is a programming error). */
  readonly outputs: readonly TopicKey[];
  readonly deadLetter: TopicKey;
  /** Consumer group; default `spine.<name>`, prefixed with SPINE_TOPIC_PREFIX. */
  readonly groupId?: string;
  /** Records handled at once per partition batch (different keys in parallel, same key in order). Default 16. */
  readonly concurrency?: number;
  /** Attempts for transient errors before dead-lettering. Default 4. */
  readonly maxAttempts?: number;
}

export type StageHandler<V = any> = (message: InboundMessage<V>) => Promise<Emit | readonly Emit[] | void>;

export type KafkaHeaders = IHeaders;
