import type { TokenUsage } from './errors.js';

export type AdapterKind = 'in-process' | 'onnx' | 'oip-v2' | 'openai';

export interface PredictOptions {
  /** The caller's deadline (a stage handler passes `m.signal`): aborts waiting, retries and the request. */
  readonly signal: AbortSignal;
}

export interface AdapterDescription {
  readonly name: string;
  readonly version: string;
  readonly kind: AdapterKind;
  /** Where the model runs: a function name, a file, a URL. */
  readonly target: string;
}

/**
 * One model version behind one interface, wherever it runs. `predict` takes a batch and answers one output per
 * input, in order, or fails as a whole with an error the stage runtime classifies (see errors.ts).
 */
export interface ModelAdapter<I, O> {
  predict(inputs: readonly I[], options: PredictOptions): Promise<O[]>;
  describe(): AdapterDescription;
  /** Resolves when the backend can serve (readiness probe); rejects with a DependencyUnavailableError otherwise. */
  ready(options: PredictOptions): Promise<void>;
  /** describe() plus what the backend says about the model (OIP model metadata, ONNX tensors), when it says anything. */
  metadata(options: PredictOptions): Promise<AdapterDescription & { readonly backend?: unknown }>;
  /** Fails queued calls, releases the backend (sessions, timers). */
  close(): Promise<void>;
}

/** What a backend answers for one request. */
export interface BackendReply<O> {
  readonly outputs: readonly O[];
  readonly usage?: TokenUsage;
}

/** The protocol part of an adapter: one request, no retries, no timeouts (the adapter wraps those around it). */
export interface Backend<I, O> {
  /** Where it runs, for describe(). */
  readonly target: string;
  /** Most inputs one request takes (1: one per request). */
  readonly maxBatchSize: number;
  /** One request. A synchronous answer (in-process code) skips the timeout machinery: it has already run. */
  invoke(inputs: readonly I[], signal: AbortSignal): BackendReply<O> | Promise<BackendReply<O>>;
  ready?(signal: AbortSignal): Promise<void>;
  metadata?(signal: AbortSignal): Promise<unknown>;
  close?(): Promise<void>;
}
