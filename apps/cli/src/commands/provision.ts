import { loadSchemaCatalog } from '@spine/schemas';
import { RegistryClient } from '@spine/serde';
import { kafkaFromEnv } from '@spine/runtime';
import { provision, resolveTopic } from '@spine/topology';
import { progress } from '../args.js';
import { deployment, platform } from '../platform.js';

/** Applies every registered topic (configs, schemas, compatibility) to the cluster and registry from the environment. */
export async function provisionCommand(): Promise<void> {
  const topics = platform.topics.map((t) => resolveTopic(t, deployment));
  const admin = kafkaFromEnv('spine-provision').admin();
  await admin.connect();
  try {
    progress(`provisioning ${topics.length} topics${deployment.prefix ? ` with prefix "${deployment.prefix}"` : ''}`);
    const steps = await provision(topics, {
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
