import { deadLetterTopic, type TopicSpec } from './topic-spec.js';

/** How a stage scales: replicas of its service, bounded by its input partitions, driven by consumer lag. */
export interface ScalingHints {
  readonly minReplicas: number;
  /** At most this many replicas do work; more would sit idle (one partition has one consumer per group). */
  readonly maxReplicas: number | 'partitions';
  /** Consumer lag per replica that warrants another replica (autoscalers read it). */
  readonly lagThreshold: number;
}

/**
 * One stage, declared once, as data: what it reads and writes, where its failures go, which group and
 * service it runs in, how it scales. The runtime runs it; the CLI, the local platform, the tests and the
 * deployment manifests read the same declaration.
 */
/** Records a batch stage's handler takes at once: up to maxSize, waiting at most maxWaitMs for more. */
export interface BatchOptions {
  readonly maxSize: number;
  readonly maxWaitMs: number;
}

export interface StageSpec<I extends TopicSpec = TopicSpec, O extends TopicSpec = TopicSpec> {
  readonly name: string;
  readonly description: string;
  readonly inputs: readonly I[];
  readonly outputs: readonly O[];
  readonly deadLetter: TopicSpec<null, null>;
  /** Base consumer group id (the deployment's prefix is added); default `spine.<name>`. */
  readonly group: string;
  /** The service (process) that hosts it. */
  readonly service: string;
  /** Records in progress at once per partition (different keys in parallel, one key in order). */
  readonly concurrency: number;
  /** Attempts for a failing record before it is dead-lettered. */
  readonly maxAttempts: number;
  /** Time one attempt may take; the handler's signal aborts then and the attempt counts as failed. */
  readonly deadlineMs: number;
  /** Set for a batch stage (handler decorated with @BatchStage): how records are grouped for it. */
  readonly batch?: BatchOptions;
  readonly scaling: ScalingHints;
  /** Set for a stage that serves a model: its versions are routed at runtime from the model control topic. */
  readonly model?: ModelServing;
}

/** The model a stage serves (the model router reads it): its name, its default version, where shadow results go. */
export interface ModelServing {
  /** Model name, as results and metrics report it. */
  readonly name: string;
  /** Champion while the control topic holds no routing for the stage; served by the in-process function of that name@version. */
  readonly defaultVersion: string;
  /** Shadow versions publish here only: a topic with the result topic's schemas, not a result topic. */
  readonly shadow: TopicSpec;
}

export interface StageOptions<I extends TopicSpec, O extends TopicSpec> {
  name: string;
  description: string;
  service: string;
  inputs: readonly I[];
  outputs?: readonly O[];
  group?: string;
  concurrency?: number;
  maxAttempts?: number;
  deadlineMs?: number;
  /** Makes it a batch stage; `true` takes the defaults (256 records, 5 ms). */
  batch?: Partial<BatchOptions> | true;
  scaling?: Partial<ScalingHints>;
  model?: ModelServing;
}

const DEFAULT_BATCH: BatchOptions = { maxSize: 256, maxWaitMs: 5 };

const STAGE_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** Declares a stage with Spine's defaults; its dead-letter topic is `spine.dlq.<name>.v1`. */
export function stage<const I extends TopicSpec, const O extends TopicSpec = never>(options: StageOptions<I, O>): StageSpec<I, O> {
  if (!STAGE_NAME.test(options.name)) throw new Error(`stage name "${options.name}" must be lower-case letters, digits and dashes`);
  if (!options.inputs.length) throw new Error(`stage ${options.name} declares no input topic`);
  const batch = options.batch ? { ...DEFAULT_BATCH, ...(options.batch === true ? {} : options.batch) } : undefined;
  return {
    name: options.name,
    description: options.description,
    service: options.service,
    inputs: options.inputs,
    outputs: options.outputs ?? [],
    deadLetter: deadLetterTopic(options.name),
    group: options.group ?? `spine.${options.name}`,
    // A batch stage needs as many records in progress as a batch holds, or batches never fill.
    concurrency: options.concurrency ?? batch?.maxSize ?? 16,
    maxAttempts: options.maxAttempts ?? 4,
    deadlineMs: options.deadlineMs ?? 120_000,
    ...(batch ? { batch } : {}),
    scaling: { minReplicas: 1, maxReplicas: 'partitions', lagThreshold: 1_000, ...options.scaling },
    ...(options.model ? { model: options.model } : {}),
  };
}
