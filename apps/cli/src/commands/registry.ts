import { maxReplicasOf } from '@spine/topology';
import { deployedGroup, deployedName, deployment, platform } from '../platform.js';

/**
 * Prints the stage registry as this deployment sees it: services (with ports) and stages (with their
 * groups and topics). Scripts read it (`--services` prints "name port" lines for ./spine up).
 */
export async function registryCommand(options: Record<string, string | true>): Promise<void> {
  if (options.services) {
    // name port db|- api|- [the API, free text]: scripts read the first two words, ./spine up prints the API.
    for (const s of platform.services) process.stdout.write(`${s.name} ${s.port} ${s.database ? 'db' : '-'} ${s.api ? `api ${s.api}` : '-'}\n`);
    return;
  }
  const view = {
    prefix: deployment.prefix,
    services: platform.services.map((s) => ({ ...s, stages: platform.stagesOf(s.name).map((st) => st.name) })),
    stages: platform.stages.map((s) => ({
      name: s.name,
      description: s.description,
      service: s.service,
      group: deployedGroup(s),
      inputs: s.inputs.map(deployedName),
      outputs: s.outputs.map(deployedName),
      deadLetter: deployedName(s.deadLetter),
      maxReplicas: maxReplicasOf(s, deployment),
      lagThreshold: s.scaling.lagThreshold,
    })),
    topics: platform.topics.map((t) => ({ name: deployedName(t), key: t.key, value: t.value, ingest: t.ingest?.type ?? null, result: t.result ?? false })),
  };
  process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
}
