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
  readonly scaling: ScalingHints;
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
  scaling?: Partial<ScalingHints>;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** Declares a stage with Spine's defaults; its dead-letter topic is `spine.dlq.<name>.v1`. */
export function stage<const I extends TopicSpec, const O extends TopicSpec = never>(options: StageOptions<I, O>): StageSpec<I, O> {
  if (!STAGE_NAME.test(options.name)) throw new Error(`stage name "${options.name}" must be lower-case letters, digits and dashes`);
  if (!options.inputs.length) throw new Error(`stage ${options.name} declares no input topic`);
  return {
    name: options.name,
    description: options.description,
    service: options.service,
    inputs: options.inputs,
    outputs: options.outputs ?? [],
    deadLetter: deadLetterTopic(options.name),
    group: options.group ?? `spine.${options.name}`,
    concurrency: options.concurrency ?? 16,
    maxAttempts: options.maxAttempts ?? 4,
    deadlineMs: options.deadlineMs ?? 120_000,
    scaling: { minReplicas: 1, maxReplicas: 'partitions', lagThreshold: 1_000, ...options.scaling },
  };
}
