import { spinePlatform } from '@spine/platform';
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
