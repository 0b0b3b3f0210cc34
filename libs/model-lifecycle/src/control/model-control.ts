import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { loadSchemaCatalog, type ModelControlEvent, type ModelGuard, type ModelSplit, type StageRouting } from '@spine/schemas';
import { AvroSerde, RegistryClient } from '@spine/serde';
import { deploymentFromEnv, type Platform } from '@spine/topology';
import { kafkaFromEnv, TopicCodecs, type TopicCodec } from '@spine/runtime';
import { modelControlTopic, spinePlatform } from '@spine/platform';
import { validateAdapterConfig } from '@spine/model-adapters';
import { ModelControlError } from '../errors.js';
import { applyChange, versionOf, type RoutingChange } from '../routing/changes.js';
import { ControlState, controlKey, type ModelVersionView } from './control-state.js';

/** Who makes a change and why (recorded on the control topic, shown in history and logs). */
export interface ChangeBy {
  readonly actor: string;
  readonly reason?: string;
  /** Set by a stage's model guard. */
  readonly automatic?: boolean;
}

export interface ModelControlDeps {
  readonly kafka: Kafka;
  readonly codecs: TopicCodecs;
  readonly platform?: Platform;
  /** Names this reader's consumer group (deleted again on stop). */
  readonly clientId: string;
  /** How long a write waits to read itself back. */
  readonly writeTimeoutMs?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/** Version registration as an operator gives it. */
export interface VersionRegistration {
  readonly description?: string;
  readonly cacheTtlMs?: number;
  readonly costPerCall?: number;
  readonly costPerThousandTokens?: number;
}

/**
 * The model registry and routing of every model-serving stage, read from the compacted control topic and written to
 * it. Every process that routes records (and the CLI, the console) has one: it reads the topic from the start with a
 * group of its own, so every instance sees every change within the consumer's fetch wait, with no restart. A write
 * resolves once this reader has read it back, so a caller sees its own change; two writers racing on one stage are
 * settled by the log (the later record wins, as compaction keeps it) and a writer whose change was overwritten applies
 * it again on top.
 */
export class ModelControl {
  readonly state: ControlState;
  private readonly platform: Platform;
  private codec: TopicCodec | undefined;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly groupId: string;
  private applied = -1n;
  private readonly waiters = new Set<{ offset: bigint; resolve: () => void }>();
  private readonly listeners = new Set<(event: ModelControlEvent) => void>();
  private readonly offsetsByKey = new Map<string, bigint>();

  constructor(private readonly deps: ModelControlDeps) {
    this.platform = deps.platform ?? spinePlatform;
    this.state = new ControlState(this.platform);
    this.groupId = `spine.models.reader.${deps.clientId}.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
  }

  /** From the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, SPINE_TOPIC_PREFIX), for the CLI and the console. */
  static async fromEnv(options: { clientId?: string; platform?: Platform } = {}): Promise<ModelControl> {
    const registry = RegistryClient.fromEnv();
    const codecs = new TopicCodecs(deploymentFromEnv(), await loadSchemaCatalog(), registry, new AvroSerde(registry));
    const clientId = options.clientId ?? 'spine-models';
    return new ModelControl({ kafka: kafkaFromEnv(clientId), codecs, platform: options.platform, clientId });
  }

  /** Resolves once every record the topic held at the call has been applied. */
  async start(): Promise<void> {
    this.codec = await this.deps.codecs.resolve(modelControlTopic);
    const admin = this.deps.kafka.admin();
    await admin.connect();
    let end: bigint;
    try {
      const offsets = await admin.fetchTopicOffsets(this.codec.name);
      end = offsets.reduce((max, o) => (BigInt(o.high) > max ? BigInt(o.high) : max), 0n);
    } finally {
      await admin.disconnect();
    }
    // One record at a time, acks=all; not idempotent (kafkajs would want unlimited retries): a retried duplicate is the same state twice.
    this.producer = this.deps.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.consumer = this.deps.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.codec.name, fromBeginning: true });
    const caughtUp = end === 0n ? Promise.resolve() : this.reach(end - 1n);
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const offset = BigInt(message.offset);
        try {
          const event = await this.codec!.decodeValue<ModelControlEvent>(message.value);
          this.state.apply(event);
          this.offsetsByKey.set(controlKey(event), offset);
          for (const listener of this.listeners) listener(event);
        } catch (error) {
          this.deps.log?.('error', 'model control record skipped: it does not decode', { offset: message.offset, error: (error as Error).message });
        }
        this.applied = offset;
        for (const w of [...this.waiters]) {
          if (w.offset > offset) continue;
          this.waiters.delete(w);
          w.resolve();
        }
      },
    });
    await caughtUp;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    const admin = this.deps.kafka.admin();
    await admin.connect().catch(() => undefined);
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }

  onChange(listener: (event: ModelControlEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  routing(stage: string): StageRouting {
    return this.state.routing(stage);
  }

  versions(model?: string): ModelVersionView[] {
    return this.state.versions(model);
  }

  history(stage?: string, limit?: number): ModelControlEvent[] {
    return this.state.history(stage, limit);
  }

  /** Registers (or re-configures) a version; the adapter configuration is validated first (every bad field named). */
  async register(model: string, version: string, adapter: Record<string, unknown>, by: ChangeBy & VersionRegistration): Promise<ModelControlEvent> {
    if (!this.platform.modelStages.some((s) => s.model!.name === model)) {
      throw new ModelControlError(`no stage serves model "${model}"; models: ${[...new Set(this.platform.modelStages.map((s) => s.model!.name))].join(', ')}`, 'not_found');
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(version)) throw new ModelControlError(`version "${version}" must be 1-64 letters, digits, dots, dashes, pluses or underscores`);
    const config = { ...adapter, name: model, version };
    try {
      validateAdapterConfig(config);
    } catch (error) {
      throw new ModelControlError(`adapter configuration refused: ${(error as Error).message}`);
    }
    for (const [name, value] of Object.entries({ cacheTtlMs: by.cacheTtlMs, costPerCall: by.costPerCall, costPerThousandTokens: by.costPerThousandTokens })) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new ModelControlError(`${name} must be a non-negative number, got ${value}`);
    }
    const event: ModelControlEvent = {
      kind: 'VERSION',
      model,
      stage: null,
      version: { version, adapter: JSON.stringify(config), description: by.description ?? '', cacheTtlMs: by.cacheTtlMs ?? 0, costPerCall: by.costPerCall ?? 0, costPerThousandTokens: by.costPerThousandTokens ?? 0 },
      routing: null,
      change: { action: 'REGISTER', version, reason: by.reason ?? '', automatic: Boolean(by.automatic), actor: by.actor, at: new Date() },
    };
    await this.write(event);
    return event;
  }

  promote(stage: string, version: string, by: ChangeBy): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'PROMOTE', version }, by);
  }

  split(stage: string, splits: readonly ModelSplit[], by: ChangeBy): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'SPLIT', splits }, by);
  }

  ramp(stage: string, version: string, ramp: { steps: readonly number[]; stepIntervalMs: number }, by: ChangeBy): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'RAMP', version, ...ramp }, by);
  }

  advance(stage: string, by: ChangeBy): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'ADVANCE' }, by);
  }

  rollback(stage: string, by: ChangeBy & { version?: string }): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'ROLLBACK', ...(by.version !== undefined ? { version: by.version } : {}) }, by);
  }

  shadow(stage: string, versions: readonly string[], by: ChangeBy): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'SHADOW', versions }, by);
  }

  cascade(stage: string, cascade: { version: string; belowConfidence: number } | null, by: ChangeBy): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'CASCADE', cascade }, by);
  }

  guard(stage: string, guard: Partial<ModelGuard>, by: ChangeBy): Promise<ModelControlEvent> {
    return this.change(stage, { action: 'GUARD', guard }, by);
  }

  /**
   * Applies a change to the stage's current routing and writes the result. `when` (used by the guard) re-checks that the
   * change still makes sense on the state it is applied to: false drops it (another instance already did it).
   */
  async change(stage: string, change: RoutingChange, by: ChangeBy, when?: (routing: StageRouting) => boolean): Promise<ModelControlEvent> {
    const spec = this.state.modelStage(stage);
    for (let attempt = 1; ; attempt++) {
      const before = this.state.routing(stage);
      if (when && !when(before)) throw new ModelControlError(`change ${change.action} of stage ${stage} no longer applies (revision ${before.revision})`);
      const routing = applyChange(before, change, this.state.knownVersions(stage), new Date());
      const event: ModelControlEvent = {
        kind: 'ROUTING',
        model: spec.model.name,
        stage,
        version: null,
        routing,
        change: { action: change.action, version: versionOf(change, before), reason: by.reason ?? '', automatic: Boolean(by.automatic), actor: by.actor, at: new Date() },
      };
      const offset = await this.write(event);
      // Overwritten by a racing writer while ours was on its way? Apply ours again on top (a few times).
      if (this.offsetsByKey.get(controlKey(event)) === offset || attempt >= 3) return event;
    }
  }

  private async write(event: ModelControlEvent): Promise<bigint> {
    if (!this.codec || !this.producer) throw new Error('ModelControl.start() first');
    const [meta] = await this.producer.send({
      topic: this.codec.name,
      acks: -1,
      messages: [{ key: await this.codec.encodeKey(controlKey(event)), value: await this.codec.encodeValue(event) }],
    });
    if (!meta) throw new Error('the broker acknowledged no record');
    const offset = BigInt(meta.baseOffset ?? meta.offset ?? '0');
    await this.reach(offset);
    return offset;
  }

  private reach(offset: bigint): Promise<void> {
    if (this.applied >= offset) return Promise.resolve();
    const timeoutMs = this.deps.writeTimeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const waiter = { offset, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`model control topic not read up to offset ${offset} within ${timeoutMs} ms (is Kafka reachable?)`));
      }, timeoutMs);
      timer.unref();
      this.waiters.add(waiter);
    });
  }
}
