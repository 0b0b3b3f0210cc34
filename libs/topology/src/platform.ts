import type { ServiceSpec } from './service-spec.js';
import type { StageSpec } from './stage-spec.js';
import type { TopicSpec } from './topic-spec.js';

/** One business domain: its topics, its stages and the services hosting them. */
export interface Domain<T extends Record<string, TopicSpec> = Record<string, TopicSpec>, S extends Record<string, StageSpec> = Record<string, StageSpec>> {
  readonly name: string;
  readonly description: string;
  readonly topics: T;
  readonly stages: S;
  readonly services: readonly ServiceSpec[];
  /** Fields whose distribution a drift stage watches (features a model reads, outputs it gives). */
  readonly monitors?: readonly DriftMonitorSpec[];
}

/** One watched topic: numeric or categorical fields by path; result fields are split by the model version at `versionField`. */
export interface DriftMonitorSpec {
  readonly topic: TopicSpec;
  readonly fields: readonly string[];
  /** Path of the model version in the record (e.g. model.version): a reference window per version. */
  readonly versionField?: string;
}

export function defineDomain<const T extends Record<string, TopicSpec>, const S extends Record<string, StageSpec>>(domain: Domain<T, S>): Domain<T, S> {
  return domain;
}

/** Asked for a stage or service the registry does not have; lists the ones it has. */
export class UnknownNameError extends Error {
  constructor(
    readonly kind: 'stage' | 'service',
    readonly unknown: string,
    readonly known: readonly string[],
  ) {
    super(`unknown ${kind} "${unknown}"; registered ${kind}s: ${known.join(', ')}`);
    this.name = 'UnknownNameError';
  }
}

/**
 * The stage registry: every domain plus the platform's own stages and services, checked for consistency
 * once. Everything that needs a list of topics, stages or services reads it from here.
 */
export class Platform {
  readonly topics: readonly TopicSpec[];
  readonly stages: readonly StageSpec[];
  readonly services: readonly ServiceSpec[];
  readonly monitors: readonly DriftMonitorSpec[];

  constructor(
    readonly domains: readonly Domain[],
    own: { stages: readonly StageSpec[]; services: readonly ServiceSpec[]; topics?: readonly TopicSpec[] },
  ) {
    this.stages = [...domains.flatMap((d) => Object.values(d.stages)), ...own.stages];
    this.services = [...domains.flatMap((d) => d.services), ...own.services];
    const topics = new Map<string, TopicSpec>();
    const add = (t: TopicSpec) => {
      const seen = topics.get(t.name);
      if (seen && seen !== t && JSON.stringify(seen) !== JSON.stringify(t)) throw new Error(`topic ${t.name} is declared twice, differently`);
      topics.set(t.name, t);
    };
    for (const d of domains) Object.values(d.topics).forEach(add);
    for (const s of this.stages) [...s.inputs, ...s.outputs, s.deadLetter, ...(s.model ? [s.model.shadow] : [])].forEach(add);
    (own.topics ?? []).forEach(add);
    this.monitors = domains.flatMap((d) => d.monitors ?? []);
    this.topics = [...topics.values()];
    this.check();
  }

  stage(name: string): StageSpec {
    const found = this.stages.find((s) => s.name === name);
    if (!found) throw new UnknownNameError('stage', name, this.stages.map((s) => s.name));
    return found;
  }

  service(name: string): ServiceSpec {
    const found = this.services.find((s) => s.name === name);
    if (!found) throw new UnknownNameError('service', name, this.services.map((s) => s.name));
    return found;
  }

  stagesOf(service: string): StageSpec[] {
    return this.stages.filter((s) => s.service === service);
  }

  /** Event type → topic, for HTTP ingestion. */
  get ingestRoutes(): ReadonlyMap<string, TopicSpec> {
    return new Map(this.topics.filter((t) => t.ingest).map((t) => [t.ingest!.type, t]));
  }

  /** Stages that serve a model (routed from the model control topic). */
  get modelStages(): StageSpec[] {
    return this.stages.filter((s) => s.model);
  }

  get resultTopics(): TopicSpec[] {
    return this.topics.filter((t) => t.result);
  }

  private check(): void {
    const unique = (what: string, names: string[]) => {
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) throw new Error(`${what} "${dup}" is registered twice`);
    };
    unique('stage', this.stages.map((s) => s.name));
    unique('consumer group', this.stages.map((s) => s.group));
    unique('service', this.services.map((s) => s.name));
    unique('port', this.services.map((s) => String(s.port)));
    unique('event type', this.topics.flatMap((t) => (t.ingest ? [t.ingest.type] : [])));
    for (const s of this.stages) {
      if (!this.services.some((svc) => svc.name === s.service)) throw new Error(`stage ${s.name} names service "${s.service}", which is not registered`);
    }
  }
}
