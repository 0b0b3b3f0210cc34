import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';
import { requireSchema, type SchemaCatalog } from '@spine/schemas';
import type { RegistryClient } from '@spine/serde';
import { compatibilityIssues, parseSchema } from './compatibility.js';
import type { ResolvedTopic } from './deployment.js';
import { subjectFor } from './topic-spec.js';

export class IncompatibleSchemaError extends Error {
  constructor(
    readonly subject: string,
    readonly issues: readonly string[],
  ) {
    super(`schema change for subject ${subject} is not compatible:\n  - ${issues.join('\n  - ')}\nMake the change compatible (e.g. give new fields a default) or publish a new topic version.`);
    this.name = 'IncompatibleSchemaError';
  }
}

export interface ProvisionStep {
  readonly target: string;
  readonly action: 'created' | 'altered' | 'unchanged' | 'registered' | 'partitions-added';
  readonly detail?: string;
}

export interface ProvisionOptions {
  admin: Admin;
  registry: RegistryClient;
  catalog: SchemaCatalog;
  onStep?: (step: ProvisionStep) => void;
}

/**
 * Applies a topology idempotently: creates missing topics, grows partitions, syncs topic configs, then
 * checks, registers and sets the compatibility of every key/value subject. Checks all subjects before
 * registering any, so a failed run changes no schema.
 */
export async function provision(topics: readonly ResolvedTopic[], options: ProvisionOptions): Promise<ProvisionStep[]> {
  const steps: ProvisionStep[] = [];
  const record = (step: ProvisionStep) => {
    steps.push(step);
    options.onStep?.(step);
  };
  await ensureTopics(topics, options.admin, record);

  const subjects = topics.flatMap((topic) =>
    (['key', 'value'] as const)
      .filter((part) => topic[part] !== null)
      .map((part) => ({ subject: subjectFor(topic.name, part), schema: requireSchema(options.catalog, topic[part] as string), compatibility: topic.compatibility })),
  );
  for (const { subject, schema, compatibility } of subjects) {
    await assertCompatible(options.registry, subject, schema.text, compatibility);
  }
  for (const { subject, schema, compatibility } of subjects) {
    const existing = await options.registry.latestSchema(subject);
    const id = await options.registry.register(subject, schema.text);
    if ((await options.registry.subjectCompatibility(subject)) !== compatibility) {
      await options.registry.setSubjectCompatibility(subject, compatibility);
    }
    const unchanged = existing !== undefined && parseSchema(existing).equals(schema.type);
    record({ target: subject, action: unchanged ? 'unchanged' : 'registered', detail: `schema id ${id}, ${compatibility}` });
  }
  return steps;
}

async function assertCompatible(registry: RegistryClient, subject: string, schemaText: string, compatibility: string): Promise<void> {
  const previous = await registry.latestSchema(subject);
  if (previous === undefined) return;
  const level = ((await registry.subjectCompatibility(subject)) ?? compatibility) as Parameters<typeof compatibilityIssues>[2];
  // Our own analysis names the field; the registry's verdict stays authoritative.
  const local = compatibilityIssues(parseSchema(schemaText), parseSchema(previous), level);
  const remote = await registry.testCompatibility(subject, schemaText);
  if (local.length || !remote.compatible) {
    throw new IncompatibleSchemaError(subject, local.length ? local : remote.messages.length ? remote.messages : ['the registry refused it']);
  }
}

async function ensureTopics(topics: readonly ResolvedTopic[], admin: Admin, record: (s: ProvisionStep) => void): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length) {
    const created: ITopicConfig[] = missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
      replicationFactor: t.replicationFactor,
      configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
    }));
    await admin.createTopics({ topics: created, waitForLeaders: false });
    await waitForLeaders(admin, missing.map((t) => t.name));
    for (const t of missing) record({ target: t.name, action: 'created', detail: `${t.partitions} partitions` });
  }
  const present = topics.filter((t) => existing.has(t.name));
  if (!present.length) return;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
  for (const topic of present) {
    const current = metadata.topics.find((m) => m.name === topic.name)?.partitions.length ?? 0;
    if (current > topic.partitions) {
      throw new Error(`topic ${topic.name} has ${current} partitions but the topology declares ${topic.partitions}: Kafka cannot shrink a topic; declare ${current} or create a new topic version`);
    }
    if (current < topic.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.partitions }] });
      record({ target: topic.name, action: 'partitions-added', detail: `${current} -> ${topic.partitions}` });
    }
  }
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((t) => ({ type: 2 /* TOPIC */, name: t.name, configNames: Object.keys(t.config) })),
  });
  for (const topic of present) {
    const entries = described.resources.find((r) => r.resourceName === topic.name)?.configEntries ?? [];
    const drift = Object.entries(topic.config).filter(([name, value]) => entries.find((e) => e.configName === name)?.configValue !== value);
    if (drift.length) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: topic.name, configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })) }],
      });
      record({ target: topic.name, action: 'altered', detail: drift.map(([n, v]) => `${n}=${v}`).join(', ') });
    } else {
      record({ target: topic.name, action: 'unchanged' });
    }
  }
}

const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Waits until every partition of new topics has a leader. kafkajs's own wait retries only
 * LEADER_NOT_AVAILABLE, but a KRaft broker that just started may still answer UNKNOWN_TOPIC_OR_PARTITION
 * for a topic it created a moment ago.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.length === topics.length && metadata.every((t) => t.partitions.length && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (!NOT_YET.has((error as { type?: string }).type ?? '')) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no partition leaders after ${timeoutMs} ms; is the broker healthy? (bash scripts/stack.sh logs kafka)`);
    await sleep(200);
  }
}
