import type { Deployment, Platform, StageSpec } from '@spine/topology';
import { groupIdOf, maxReplicasOf, resolveTopic } from '@spine/topology';
import { component, ofKind, type K8sObject } from './helm-chart.js';

/** Env names whose value must come from a Secret, never a literal. */
export const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEYS|DATABASE_URL|USERNAME|PRIVATE_KEY|CREDENTIAL/i;
/** A URL with credentials in it (scheme://user:password@host). */
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:[^\s/@'"]+@/i;

export interface ChartExpectation {
  /** The live stage registry (not the generated file): what the chart must have deployed. */
  platform: Platform;
  /** The deployment the values describe (prefix, default partitions). */
  deployment: Deployment;
  /** The autoscaler the values select. */
  mode: 'keda' | 'hpa';
  /** stages.<name>.lagThreshold overrides from the values, if any. */
  lagThresholds?: Record<string, number>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name?: string; key?: string } };
}

const podSpecOf = (o: K8sObject): any => o.spec?.template?.spec ?? {};
const containersOf = (o: K8sObject): any[] => podSpecOf(o).containers ?? [];

/**
 * Every fact the chart must get from the registry, checked on rendered objects. Returns the problems
 * (empty = fine), each naming the service or stage, so a failing test says what is wrong.
 */
export function chartProblems(objects: K8sObject[], text: string, expected: ChartExpectation): string[] {
  const { platform, deployment } = expected;
  const problems: string[] = [];
  const byComponent = (kind: string) => new Map(ofKind(objects, kind).map((o) => [component(o) ?? '', o]));
  const deployments = byComponent('Deployment');
  const services = byComponent('Service');
  const configMaps = ofKind(objects, 'ConfigMap');
  const config = configMaps[0]?.data ?? {};
  if (configMaps.length !== 1) problems.push(`expected one ConfigMap, found ${configMaps.length}`);
  if (config.SPINE_TOPIC_PREFIX !== deployment.prefix) problems.push(`ConfigMap SPINE_TOPIC_PREFIX is "${config.SPINE_TOPIC_PREFIX}", values say "${deployment.prefix}"`);
  if (config.SPINE_TOPIC_PARTITIONS !== String(deployment.partitions)) problems.push(`ConfigMap SPINE_TOPIC_PARTITIONS is "${config.SPINE_TOPIC_PARTITIONS}", values say ${deployment.partitions}`);

  for (const svc of platform.services) {
    const d = deployments.get(svc.name);
    if (!d) {
      problems.push(`service ${svc.name}: no Deployment`);
      continue;
    }
    const c = containersOf(d).find((x) => x.name === svc.name);
    if (!c) {
      problems.push(`service ${svc.name}: Deployment ${d.metadata.name} has no container named ${svc.name}`);
      continue;
    }
    const env: EnvVar[] = c.env ?? [];
    const envValue = (name: string) => env.find((e) => e.name === name)?.value;
    if (!(c.command ?? []).includes(`apps/${svc.name}/dist/main.js`)) problems.push(`service ${svc.name}: command ${JSON.stringify(c.command)} does not run apps/${svc.name}/dist/main.js`);
    if (c.workingDir !== '/app') problems.push(`service ${svc.name}: workingDir ${c.workingDir}, the image's repo is at /app`);
    const http = (c.ports ?? []).find((p: any) => p.name === 'http');
    if (http?.containerPort !== svc.port) problems.push(`service ${svc.name}: container port ${http?.containerPort}, registry says ${svc.port}`);
    if (envValue('PORT') !== String(svc.port)) problems.push(`service ${svc.name}: PORT=${envValue('PORT')}, registry says ${svc.port}`);
    if (envValue('HOST') !== '0.0.0.0') problems.push(`service ${svc.name}: HOST=${envValue('HOST')}, a pod must bind 0.0.0.0`);
    if (envValue('NODE_ENV') !== 'production') problems.push(`service ${svc.name}: NODE_ENV=${envValue('NODE_ENV')}`);
    for (const [probe, path] of [['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready']] as const) {
      const get = c[probe]?.httpGet;
      if (get?.path !== path || get?.port !== svc.port) problems.push(`service ${svc.name}: ${probe} is ${JSON.stringify(get)}, expected ${path} on port ${svc.port}`);
    }
    if (!(c.envFrom ?? []).some((e: any) => e.configMapRef?.name === configMaps[0]?.metadata.name)) problems.push(`service ${svc.name}: does not load the ConfigMap`);
    if (c.securityContext?.readOnlyRootFilesystem !== true || podSpecOf(d).securityContext?.runAsNonRoot !== true) problems.push(`service ${svc.name}: not non-root with a read-only root filesystem`);

    const dbVars = env.filter((e) => e.name === 'DATABASE_URL');
    if (svc.database) {
      if (dbVars.length !== 1 || !dbVars[0]?.valueFrom?.secretKeyRef?.name || !dbVars[0].valueFrom.secretKeyRef.key || dbVars[0].value !== undefined)
        problems.push(`service ${svc.name}: needs DATABASE_URL from exactly one secretKeyRef, has ${JSON.stringify(dbVars)}`);
    } else if (dbVars.length) problems.push(`service ${svc.name}: has no database in the registry but gets DATABASE_URL`);
    if (!svc.api && env.some((e) => e.name === 'SPINE_API_KEYS' || e.name === 'SPINE_JWKS_URL')) problems.push(`service ${svc.name}: serves no API but gets API credentials`);

    const s = services.get(svc.name);
    const port = (s?.spec?.ports ?? []).find((p: any) => p.name === 'http');
    if (!s) problems.push(`service ${svc.name}: no Service`);
    else if (port?.port !== svc.port || !(port.targetPort === 'http' || port.targetPort === svc.port)) problems.push(`service ${svc.name}: Service port ${JSON.stringify(port)}, registry says ${svc.port}`);
  }
  for (const name of deployments.keys()) if (!platform.services.some((s) => s.name === name)) problems.push(`Deployment for "${name}", which the registry does not have`);

  problems.push(...autoscalingProblems(objects, deployments, expected, config.KAFKA_BROKERS));
  problems.push(...secretProblems(objects, text));

  const job = ofKind(objects, 'Job').find((j) => (containersOf(j)[0]?.command ?? []).includes('provision'));
  const hooks = String(job?.metadata.annotations?.['helm.sh/hook'] ?? '').split(',');
  if (!job || !hooks.includes('pre-install') || !hooks.includes('pre-upgrade')) problems.push(`no pre-install,pre-upgrade Job running spine-cli provision (hooks: ${hooks.join(',')})`);
  else {
    const jobEnv: EnvVar[] = containersOf(job)[0].env ?? [];
    if (jobEnv.find((e) => e.name === 'SPINE_TOPIC_PREFIX')?.value !== deployment.prefix) problems.push('the provisioning Job does not provision with the deployment prefix');
  }
  return problems;
}

/** Replicas worth running for a service: past the largest of its stages' bounds every stage has idle members. */
function serviceBound(stages: StageSpec[], deployment: Deployment): number {
  return Math.max(...stages.map((s) => maxReplicasOf(s, deployment)));
}

function autoscalingProblems(objects: K8sObject[], deployments: Map<string, K8sObject>, expected: ChartExpectation, brokers: string | undefined): string[] {
  const { platform, deployment, mode } = expected;
  const problems: string[] = [];
  const scaled = ofKind(objects, 'ScaledObject');
  const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
  const targeting = (list: K8sObject[], service: string) => list.find((o) => o.spec?.scaleTargetRef?.name === deployments.get(service)?.metadata.name);

  if (mode === 'hpa') {
    if (scaled.length) problems.push(`autoscaling hpa rendered ${scaled.length} ScaledObjects`);
    for (const svc of platform.services) {
      const hpa = targeting(hpas, svc.name);
      const stages = platform.stagesOf(svc.name);
      if (!hpa) problems.push(`service ${svc.name}: no HorizontalPodAutoscaler`);
      else if (stages.length && hpa.spec.maxReplicas > serviceBound(stages, deployment))
        problems.push(`service ${svc.name}: HPA maxReplicas ${hpa.spec.maxReplicas} exceeds its input partitions (${serviceBound(stages, deployment)})`);
    }
    return problems;
  }

  const known = new Set<string>();
  for (const stage of platform.stages) {
    const so = targeting(scaled, stage.service);
    if (!so) {
      problems.push(`stage ${stage.name}: no ScaledObject for its service ${stage.service}`);
      continue;
    }
    const group = groupIdOf(stage, deployment);
    const lag = expected.lagThresholds?.[stage.name] ?? stage.scaling.lagThreshold;
    for (const input of stage.inputs) {
      const topic = resolveTopic(input, deployment);
      known.add(`${group} ${topic.name}`);
      const trigger = (so.spec.triggers ?? []).find((t: any) => t.type === 'kafka' && t.metadata?.consumerGroup === group && t.metadata?.topic === topic.name);
      if (!trigger) {
        problems.push(`stage ${stage.name}: no kafka trigger for group ${group} on topic ${topic.name}`);
        continue;
      }
      if (trigger.metadata.lagThreshold !== String(lag)) problems.push(`stage ${stage.name}: lagThreshold ${trigger.metadata.lagThreshold}, expected ${lag}`);
      if (trigger.metadata.bootstrapServers !== brokers) problems.push(`stage ${stage.name}: trigger brokers ${trigger.metadata.bootstrapServers}, the services use ${brokers}`);
      const stages = platform.stagesOf(stage.service);
      // One stage per service: the bound is exactly its input topic's partitions.
      const bound = stages.length === 1 ? Math.min(topic.partitions, maxReplicasOf(stage, deployment)) : serviceBound(stages, deployment);
      if (!(so.spec.maxReplicaCount <= bound)) problems.push(`stage ${stage.name}: maxReplicaCount ${so.spec.maxReplicaCount} exceeds the partitions of ${topic.name} (${bound})`);
      if (!(so.spec.minReplicaCount <= so.spec.maxReplicaCount)) problems.push(`stage ${stage.name}: minReplicaCount ${so.spec.minReplicaCount} > maxReplicaCount ${so.spec.maxReplicaCount}`);
    }
  }
  for (const so of scaled) {
    for (const t of so.spec?.triggers ?? []) {
      if (!known.has(`${t.metadata?.consumerGroup} ${t.metadata?.topic}`)) problems.push(`ScaledObject ${so.metadata.name}: trigger for ${t.metadata?.consumerGroup} on ${t.metadata?.topic}, which no registered stage reads`);
    }
  }
  for (const hpa of hpas) {
    const service = [...deployments].find(([, d]) => d.metadata.name === hpa.spec?.scaleTargetRef?.name)?.[0];
    if (!service || platform.stagesOf(service).length) problems.push(`HPA ${hpa.metadata.name} targets ${service ?? 'nothing'}, a stage service (KEDA scales those)`);
  }
  return problems;
}

function secretProblems(objects: K8sObject[], text: string): string[] {
  const problems: string[] = [];
  if (ofKind(objects, 'Secret').length) problems.push('the chart renders a Secret: secrets must only be referenced (existingSecret)');
  for (const o of objects) {
    for (const c of [...containersOf(o), ...(podSpecOf(o).initContainers ?? [])]) {
      for (const e of (c.env ?? []) as EnvVar[]) {
        if (SECRET_NAME.test(e.name) && (e.value !== undefined || !e.valueFrom?.secretKeyRef)) problems.push(`${o.kind} ${o.metadata.name}: ${e.name} is not from a secretKeyRef`);
      }
    }
  }
  for (const cm of ofKind(objects, 'ConfigMap')) {
    for (const key of Object.keys(cm.data ?? {})) if (SECRET_NAME.test(key)) problems.push(`ConfigMap ${cm.metadata.name} holds ${key}`);
  }
  const url = CREDENTIAL_URL.exec(text);
  if (url) problems.push(`a rendered object contains a URL with credentials (${url[0].replace(/:[^:@]+@$/, ':***@')})`);
  return problems;
}
