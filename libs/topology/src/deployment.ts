import type { StageSpec } from './stage-spec.js';
import type { TopicSpec } from './topic-spec.js';

/** Where a topology is deployed: the prefix that namespaces topics, subjects and groups, and topic sizing. */
export interface Deployment {
  readonly prefix: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

export function deploymentFromEnv(env: NodeJS.ProcessEnv = process.env): Deployment {
  const number = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return value;
  };
  return { prefix: env.SPINE_TOPIC_PREFIX ?? '', partitions: number('SPINE_TOPIC_PARTITIONS', 6), replicationFactor: number('SPINE_REPLICATION_FACTOR', 1) };
}

/** A topic as it exists in one deployment: prefixed name, partitions and replication decided. */
export interface ResolvedTopic extends TopicSpec {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** The declaration it came from. */
  readonly spec: TopicSpec;
}

export function resolveTopic(spec: TopicSpec, deployment: Deployment): ResolvedTopic {
  return {
    ...spec,
    name: `${deployment.prefix}${spec.name}`,
    partitions: spec.partitions ?? deployment.partitions,
    replicationFactor: deployment.replicationFactor,
    spec,
  };
}

export function groupIdOf(stage: StageSpec, deployment: Deployment): string {
  return `${deployment.prefix}${stage.group}`;
}

/** Replicas worth running for a stage: never more than its smallest input has partitions. */
export function maxReplicasOf(stage: StageSpec, deployment: Deployment): number {
  const partitions = Math.min(...stage.inputs.map((t) => t.partitions ?? deployment.partitions));
  return stage.scaling.maxReplicas === 'partitions' ? partitions : Math.min(stage.scaling.maxReplicas, partitions);
}
