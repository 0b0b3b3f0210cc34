import type { Registry } from 'prom-client';
import type { AdapterKind, Backend } from '../adapter.js';
import type { CommonConfig, CommonDefaults } from './common.js';
import type { ConfigIssue, Fields, Resolved } from './fields.js';

/** A TypeScript model function an in-process adapter calls, registered under a name. */
export type InProcessFunction<I = any, O = any> = (input: I) => O | Promise<O>;

/** What adapters get from the application besides their configuration. */
export interface AdapterContext {
  /** prom-client registry the adapter's metrics go to (e.g. SpineMetrics' registry). */
  readonly registry: Registry;
  /** Functions in-process adapters may name (`function`). */
  readonly functions?: Readonly<Record<string, InProcessFunction>>;
  /** Relative model paths (onnx `path`) resolve against this; default the working directory. */
  readonly baseDir?: string;
  /** Where `apiKeyEnv` is looked up; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** HTTP client of oip-v2 and openai adapters; default the global fetch. */
  readonly fetch?: typeof fetch;
  /** Clock of circuit breakers (tests). */
  readonly now?: () => number;
}

/**
 * One adapter kind, self-described: its fields (types, defaults, descriptions), whether its backend takes batches,
 * its own defaults for common fields, and how to make its backend from a validated configuration.
 */
export interface KindSpec<F extends Fields = Fields> {
  readonly kind: AdapterKind;
  readonly description: string;
  readonly fields: F;
  /** Whether micro-batching applies (the backend takes many inputs in one request). */
  readonly batchable: boolean;
  /** Why it does not, for docs and the validation message. */
  readonly unbatchable?: string;
  readonly defaults?: CommonDefaults;
  /** Cross-field checks beyond each field's own. */
  readonly check?: (config: Resolved<F> & CommonConfig, issues: ConfigIssue[]) => void;
  create(config: Resolved<F> & CommonConfig, context: AdapterContext): Promise<Backend<any, any>>;
}

/** Declares a kind, keeping its field types for `create`. */
export function defineKind<const F extends Fields>(spec: KindSpec<F>): KindSpec<F> {
  return spec;
}
