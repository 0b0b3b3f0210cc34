// The stage registry's facts as the Helm chart reads them (helm/spine/files/registry.json). Pure: the same
// registry gives the same text, so the committed file can be compared with the live registry (a test does).
// Names are base names: the chart adds its own prefix (values kafka.topicPrefix = SPINE_TOPIC_PREFIX), and
// `partitions: null` means the deployment's default (values kafka.topicPartitions = SPINE_TOPIC_PARTITIONS).

/** @param {import('@spine/topology').Platform} platform */
export function registryFacts(platform) {
  return {
    generatedBy: 'tools/helm/registry-values.mjs from the stage registry (libs/platform). Do not edit: run `npx tsc -b && node tools/helm/registry-values.mjs`.',
    services: platform.services.map((s) => ({
      name: s.name,
      description: s.description,
      port: s.port,
      database: Boolean(s.database),
      api: Boolean(s.api),
      stages: platform.stagesOf(s.name).map((st) => st.name),
    })),
    stages: platform.stages.map((s) => ({
      name: s.name,
      service: s.service,
      group: s.group,
      inputs: s.inputs.map((t) => ({ topic: t.name, partitions: t.partitions ?? null })),
      outputs: s.outputs.map((t) => t.name),
      deadLetter: s.deadLetter.name,
      minReplicas: s.scaling.minReplicas,
      // 'partitions' = as many replicas as the smallest input has partitions (more would sit idle).
      maxReplicas: s.scaling.maxReplicas,
      lagThreshold: s.scaling.lagThreshold,
    })),
  };
}

/** The file's exact text. @param {import('@spine/topology').Platform} platform */
export function registryJson(platform) {
  return `${JSON.stringify(registryFacts(platform), null, 2)}\n`;
}
