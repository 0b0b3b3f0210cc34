import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spinePlatform } from '@spine/platform';
import { maxReplicasOf, type Deployment } from '@spine/topology';
import { chartDir, component, helmBinary, helmObtainable, ofKind, renderChart, runHelm, type K8sObject } from './helm-chart.js';
import { chartProblems } from './helm-checks.js';
import { registryJson } from '../../tools/helm/registry-facts.mjs';

const KEDA = ['keda.sh/v1alpha1'];
const valuesFile = join(chartDir, 'values.yaml');
const campaignFile = join(chartDir, 'values-campaign.yaml');
const defaults = parse(readFileSync(valuesFile, 'utf8'));
const campaign = parse(readFileSync(campaignFile, 'utf8'));

/** The deployment a values file describes, in the registry's own terms. */
const deploymentOf = (values: any, prefix = ''): Deployment => ({
  prefix,
  partitions: values.kafka?.topicPartitions ?? defaults.kafka.topicPartitions,
  replicationFactor: values.kafka?.replicationFactor ?? defaults.kafka.replicationFactor,
});
const lagOverrides = (values: any): Record<string, number> =>
  Object.fromEntries(Object.entries(values.stages ?? {}).map(([name, s]: [string, any]) => [name, s.lagThreshold]));
const scaledObjectOf = (objects: K8sObject[], service: string) => ofKind(objects, 'ScaledObject').find((o) => component(o) === service);

/** Services that host exactly one stage: their replica bound is that stage's input partitions. */
const singleStage = spinePlatform.services.filter((s) => spinePlatform.stagesOf(s.name).length === 1);

describe('helm/spine/files/registry.json', () => {
  it('is what tools/helm/registry-values.mjs generates from the stage registry (no drift)', () => {
    // Compared with the live registry (source, not a possibly stale build), as the generator writes it.
    const committed = readFileSync(join(chartDir, 'files', 'registry.json'), 'utf8');
    if (committed !== registryJson(spinePlatform)) {
      throw new Error('helm/spine/files/registry.json is out of date with the stage registry; run: npx tsc -b && node tools/helm/registry-values.mjs');
    }
  });

  it('is the only place the templates get names and ports from', () => {
    const templates = readdirSync(join(chartDir, 'templates')).map((f) => readFileSync(join(chartDir, 'templates', f), 'utf8')).join('\n');
    const facts = [
      ...spinePlatform.services.flatMap((s) => [s.name, String(s.port)]),
      ...spinePlatform.stages.map((s) => s.group),
      ...spinePlatform.topics.map((t) => t.name),
    ];
    expect(facts.filter((f) => new RegExp(`(^|[^\\w-])${f.replace(/[.]/g, '\\.')}([^\\w-]|$)`).test(templates))).toEqual([]);
  });
});

const helmCheck = helmObtainable();
if (!helmCheck.ok) process.stderr.write(`[helm chart tests] SKIPPED: ${helmCheck.reason}\n`);
const withHelm = helmCheck.ok ? describe : describe.skip;

withHelm('helm chart helm/spine, rendered by the real helm and checked against the stage registry', () => {
  let helm: string;
  let scratch: string;

  beforeAll(() => {
    helm = helmBinary();
    scratch = mkdtempSync(join(tmpdir(), 'spine-helm-test-'));
  }, 20 * 60_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('passes helm lint with the default and the campaign values', () => {
    for (const args of [[], ['-f', campaignFile]]) {
      const result = runHelm(helm, ['lint', '--strict', chartDir, ...args]);
      expect({ args, status: result.status, out: result.stdout + result.stderr }).toMatchObject({ status: 0 });
    }
  });

  it('default values on a KEDA cluster: every service, port, stage, group and topic comes from the registry', () => {
    const { objects, text } = renderChart(helm, { apiVersions: KEDA });
    expect(chartProblems(objects, text, { platform: spinePlatform, deployment: deploymentOf(defaults), mode: 'keda' })).toEqual([]);
    // Unset maxReplicas means "as many as the partitions allow": exactly the registry's bound.
    for (const svc of singleStage) expect({ svc: svc.name, max: scaledObjectOf(objects, svc.name)?.spec.maxReplicaCount }).toEqual({ svc: svc.name, max: maxReplicasOf(spinePlatform.stagesOf(svc.name)[0]!, deploymentOf(defaults)) });
  });

  it('a topic prefix and partition count in values reach every trigger, the bounds and provisioning', () => {
    const prefix = 'stg-42.';
    const set = { 'kafka.topicPrefix': prefix, 'kafka.topicPartitions': 3 };
    const deployment: Deployment = { ...deploymentOf(defaults, prefix), partitions: 3 };
    const { objects, text } = renderChart(helm, { apiVersions: KEDA, set });
    expect(chartProblems(objects, text, { platform: spinePlatform, deployment, mode: 'keda' })).toEqual([]);
    for (const svc of singleStage) expect(scaledObjectOf(objects, svc.name)?.spec.maxReplicaCount).toBe(maxReplicasOf(spinePlatform.stagesOf(svc.name)[0]!, deployment));
  });

  it('clamps a maxReplicas above the input partitions, and says so', () => {
    const svc = singleStage[0]!;
    const bound = maxReplicasOf(spinePlatform.stagesOf(svc.name)[0]!, deploymentOf(defaults));
    const { objects, text } = renderChart(helm, { apiVersions: KEDA, set: { [`services.${svc.name}.autoscaling.maxReplicas`]: bound + 10 } });
    const so = scaledObjectOf(objects, svc.name)!;
    expect(so.spec.maxReplicaCount).toBe(bound);
    expect(so.metadata.annotations?.['spine/max-replicas-clamped']).toBe(`values asked for ${bound + 10} replicas; the input partitions allow ${bound}`);
    expect(text).toContain(`# clamped: values asked for ${bound + 10}`);
  });

  it('campaign profile: inference scales 2 -> 20 on lag, which the raised partitions make possible', () => {
    const { objects, text } = renderChart(helm, { apiVersions: KEDA, valuesFiles: [campaignFile] });
    const deployment = deploymentOf(campaign);
    expect(chartProblems(objects, text, { platform: spinePlatform, deployment, mode: 'keda', lagThresholds: lagOverrides(campaign) })).toEqual([]);
    const inference = scaledObjectOf(objects, 'inference')!;
    expect([inference.spec.minReplicaCount, inference.spec.maxReplicaCount]).toEqual([2, 20]);
    expect(campaign.services.inference.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 20 });
    // With the default partitions 20 would be clamped: the profile needs its partition raise.
    expect(maxReplicasOf(spinePlatform.stage('inference'), deploymentOf(defaults))).toBeLessThan(20);
    expect(maxReplicasOf(spinePlatform.stage('inference'), deployment)).toBeGreaterThanOrEqual(20);
    expect(inference.metadata.annotations?.['spine/max-replicas-clamped']).toBeUndefined();
    expect(inference.spec.triggers.map((t: any) => t.metadata.lagThreshold)).toEqual([String(campaign.stages.inference.lagThreshold)]);
  });

  it('autoscaling.mode=hpa renders CPU HPAs and no ScaledObject; auto without the KEDA API does the same', () => {
    for (const options of [{ apiVersions: KEDA, set: { 'autoscaling.mode': 'hpa' } }, {}]) {
      const { objects, text } = renderChart(helm, options);
      expect(chartProblems(objects, text, { platform: spinePlatform, deployment: deploymentOf(defaults), mode: 'hpa' })).toEqual([]);
      expect(ofKind(objects, 'ScaledObject')).toEqual([]);
      expect(ofKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(spinePlatform.services.length);
    }
  });

  it('secrets are only referenced: SASL, registry auth and DATABASE_URL come from secretKeyRefs, KEDA authenticates by reference', () => {
    const set = {
      'kafka.sasl.mechanism': 'scram-sha-512',
      'kafka.sasl.existingSecret': 'kafka-credentials',
      'kafka.ssl': true,
      'schemaRegistry.auth.existingSecret': 'registry-credentials',
      'serviceMonitor.enabled': true,
      [`services.${spinePlatform.services[0]!.name}.secretEnv.SPINE_EXTRA_SECRET.secret`]: 'extra-secret',
    };
    const { objects, text } = renderChart(helm, { apiVersions: KEDA, set });
    expect(chartProblems(objects, text, { platform: spinePlatform, deployment: deploymentOf(defaults), mode: 'keda' })).toEqual([]);
    const auth = ofKind(objects, 'TriggerAuthentication');
    expect(auth.map((a) => a.spec.secretTargetRef.map((r: any) => `${r.parameter}=${r.name}/${r.key}`))).toEqual([['username=kafka-credentials/username', 'password=kafka-credentials/password']]);
    for (const so of ofKind(objects, 'ScaledObject')) {
      for (const t of so.spec.triggers) expect([t.metadata.sasl, t.metadata.tls, t.authenticationRef?.name]).toEqual(['scram_sha512', 'enable', auth[0]!.metadata.name]);
    }
    const extra = ofKind(objects, 'Deployment').find((o) => component(o) === spinePlatform.services[0]!.name)!;
    expect(extra.spec.template.spec.containers[0].env.filter((e: any) => e.name === 'SPINE_EXTRA_SECRET')).toEqual([
      { name: 'SPINE_EXTRA_SECRET', valueFrom: { secretKeyRef: { name: 'extra-secret', key: 'SPINE_EXTRA_SECRET' } } },
    ]);
    expect(ofKind(objects, 'ServiceMonitor').map((m) => m.spec.endpoints[0])).toMatchObject([{ port: 'http', path: '/metrics' }]);

    // The check catches a literal secret (so an empty problem list above means something).
    const tampered = structuredClone(objects);
    const d = ofKind(tampered, 'Deployment').find((o) => spinePlatform.service(component(o)!).database)!;
    d.spec.template.spec.containers[0].env.push({ name: 'KAFKA_SASL_PASSWORD', value: 'hunter2hunter2' });
    expect(chartProblems(tampered, `${text}\nurl: postgresql://spine:hunter2@db/spine`, { platform: spinePlatform, deployment: deploymentOf(defaults), mode: 'keda' })).toEqual([
      `Deployment ${d.metadata.name}: KAFKA_SASL_PASSWORD is not from a secretKeyRef`,
      'a rendered object contains a URL with credentials (postgresql://spine:***@)',
    ]);
    // And a secret-looking plain value in values is refused by the chart itself.
    expect(() => renderChart(helm, { set: { 'config.KAFKA_SASL_PASSWORD': 'hunter2' } })).toThrow(/config\.KAFKA_SASL_PASSWORD looks like a secret/);
  });

  it('a stage (or service) deleted from the generated registry file fails the checks', () => {
    const copy = join(scratch, 'spine');
    cpSync(chartDir, copy, { recursive: true });
    const registryFile = join(copy, 'files', 'registry.json');
    const registry = JSON.parse(readFileSync(registryFile, 'utf8'));
    const victim = spinePlatform.stages[0]!;
    registry.stages = registry.stages.filter((s: any) => s.name !== victim.name);
    for (const s of registry.services) s.stages = s.stages.filter((n: string) => n !== victim.name);
    writeFileSync(registryFile, JSON.stringify(registry));
    let rendered = renderChart(helm, { chart: copy, apiVersions: KEDA });
    const problems = chartProblems(rendered.objects, rendered.text, { platform: spinePlatform, deployment: deploymentOf(defaults), mode: 'keda' });
    expect(problems.filter((p) => p.startsWith(`stage ${victim.name}:`)).length).toBeGreaterThan(0);

    const gone = spinePlatform.services.at(-1)!;
    registry.services = registry.services.filter((s: any) => s.name !== gone.name);
    writeFileSync(registryFile, JSON.stringify(registry));
    rendered = renderChart(helm, { chart: copy, apiVersions: KEDA });
    expect(chartProblems(rendered.objects, rendered.text, { platform: spinePlatform, deployment: deploymentOf(defaults), mode: 'keda' })).toContain(`service ${gone.name}: no Deployment`);
  });

  it('refuses values that name a service or stage the registry does not have, listing the registered ones', () => {
    expect(() => renderChart(helm, { set: { 'services.no-such-service.replicas': 2 } })).toThrow(new RegExp(`services\\.no-such-service: the stage registry has no such service; registered: ${spinePlatform.services.map((s) => s.name).join(', ')}`));
    expect(() => renderChart(helm, { set: { 'stages.no-such-stage.lagThreshold': 5 } })).toThrow(/stages\.no-such-stage: the stage registry has no such stage/);
  });
});
