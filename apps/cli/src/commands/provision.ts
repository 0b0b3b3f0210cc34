import { loadSchemaCatalog } from '@spine/schemas';
import { RegistryClient } from '@spine/serde';
import { kafkaFromEnv } from '@spine/runtime';
import { provision, spineTopology } from '@spine/topology';
import { progress } from '../args.js';

/** Applies Spine's topology (topics, configs, schemas, compatibility) to the cluster and registry from the environment. */
export async function provisionCommand(): Promise<void> {
  const topology = spineTopology();
  const admin = kafkaFromEnv('spine-provision').admin();
  await admin.connect();
  try {
    progress(`provisioning ${topology.all.length} topics${topology.prefix ? ` with prefix "${topology.prefix}"` : ''}`);
    const steps = await provision(topology.all, {
      admin,
      registry: RegistryClient.fromEnv(),
      catalog: await loadSchemaCatalog(),
      onStep: (step) => progress(`${step.action.padEnd(16)} ${step.target}${step.detail ? ` (${step.detail})` : ''}`),
    });
    progress(`done: ${steps.filter((s) => s.action !== 'unchanged').length} changes`);
  } finally {
    await admin.disconnect();
  }
}
