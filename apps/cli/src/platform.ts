import { spinePlatform } from '@spine/platform';
import { TopicCodecs } from '@spine/runtime';
import { loadSchemaCatalog } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { deploymentFromEnv, groupIdOf, resolveTopic, UnknownNameError, type StageSpec } from '@spine/topology';
import { UsageError } from './args.js';

/** The registry as this deployment sees it (SPINE_TOPIC_PREFIX, partitions). */
export const deployment = deploymentFromEnv();
export const platform = spinePlatform;

/** A registered stage by name, or a usage error listing the registered ones. */
export function stageNamed(name: string): StageSpec {
  try {
    return platform.stage(name);
  } catch (error) {
    if (error instanceof UnknownNameError) throw new UsageError(error.message);
    throw error;
  }
}

export const deployedName = (spec: Parameters<typeof resolveTopic>[0]) => resolveTopic(spec, deployment).name;
export const deployedGroup = (stage: StageSpec) => groupIdOf(stage, deployment);
export const stageNames = () => platform.stages.map((s) => s.name).join(' | ');

/** Encoders and decoders of this deployment's topics, through the schema registry (SCHEMA_REGISTRY_URL). */
export async function topicCodecs(): Promise<TopicCodecs> {
  const registry = RegistryClient.fromEnv();
  return new TopicCodecs(deployment, await loadSchemaCatalog(), registry, new AvroSerde(registry));
}
