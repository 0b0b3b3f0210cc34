import type { ModelControlEvent, ModelVersionSpec, StageRouting } from '@spine/schemas';
import type { Platform, StageSpec } from '@spine/topology';
import { ModelControlError } from '../errors.js';
import { defaultRouting } from '../routing/defaults.js';

/** A registered version as readers see it: the adapter configuration parsed. */
export interface ModelVersionView {
  readonly model: string;
  readonly version: string;
  readonly adapter: Record<string, unknown>;
  readonly description: string;
  readonly cacheTtlMs: number;
  readonly costPerCall: number;
  readonly costPerThousandTokens: number;
  /** True for the registry's default version (the in-process function `<model>@<version>`), which needs no registration. */
  readonly builtIn: boolean;
}

/** The control record's key: `version:<model>:<version>` or `routing:<stage>`. */
export function controlKey(event: Pick<ModelControlEvent, 'kind' | 'model' | 'stage' | 'version'>): string {
  return event.kind === 'VERSION' ? `version:${event.model}:${event.version!.version}` : `routing:${event.stage}`;
}

/** The in-process adapter of a stage's default version: the function registered as `<model>@<version>`. */
export function builtInAdapter(model: string, version: string): Record<string, unknown> {
  return { kind: 'in-process', name: model, version, function: `${model}@${version}` };
}

const HISTORY_LIMIT = 10_000;

/**
 * The model registry and every stage's routing, folded from the control topic's records in log order (the newest
 * record per key wins, as compaction keeps it). Pure: Kafka is ModelControl's business.
 */
export class ControlState {
  private readonly versionsByKey = new Map<string, ModelVersionView>();
  private readonly routings = new Map<string, StageRouting>();
  private readonly events: ModelControlEvent[] = [];
  /** versions() per model, made once per change (the router asks per record). */
  private readonly versionCache = new Map<string, ModelVersionView[]>();

  constructor(private readonly platform: Platform) {}

  apply(event: ModelControlEvent): void {
    this.versionCache.clear();
    if (event.kind === 'VERSION' && event.version) {
      this.versionsByKey.set(controlKey(event), viewOf(event.model, event.version));
    } else if (event.kind === 'ROUTING' && event.stage && event.routing) {
      this.routings.set(event.stage, event.routing);
    }
    this.events.push(event);
    if (this.events.length > HISTORY_LIMIT) this.events.splice(0, this.events.length - HISTORY_LIMIT);
  }

  /** A model-serving stage of the registry, or a ModelControlError naming the ones there are. */
  modelStage(name: string): StageSpec & { model: NonNullable<StageSpec['model']> } {
    const stage = this.platform.modelStages.find((s) => s.name === name);
    if (!stage) throw new ModelControlError(`stage "${name}" serves no model; model stages: ${this.platform.modelStages.map((s) => s.name).join(', ')}`, 'not_found');
    return stage as StageSpec & { model: NonNullable<StageSpec['model']> };
  }

  routing(stage: string): StageRouting {
    return this.routings.get(stage) ?? defaultRouting(this.modelStage(stage).model.defaultVersion);
  }

  /** The routing of each model-serving stage a service hosts (for its start-up log). */
  routingsOf(service: string): Array<[string, StageRouting]> {
    return this.platform.modelStages.filter((s) => s.service === service).map((s) => [s.name, this.routing(s.name)]);
  }

  /** Registered versions (of one model, or all), each model's built-in default version included. */
  versions(model?: string): ModelVersionView[] {
    const key = model ?? '\0all';
    let views = this.versionCache.get(key);
    if (!views) this.versionCache.set(key, (views = this.listVersions(model)));
    return views;
  }

  private listVersions(model?: string): ModelVersionView[] {
    const builtIns = this.platform.modelStages
      .map((s) => s.model!)
      .filter((m) => !model || m.name === model)
      .map((m) => ({ model: m.name, version: m.defaultVersion, adapter: builtInAdapter(m.name, m.defaultVersion), description: 'the registry default (in process)', cacheTtlMs: 0, costPerCall: 0, costPerThousandTokens: 0, builtIn: true }));
    const registered = [...this.versionsByKey.values()].filter((v) => !model || v.model === model);
    const overridden = new Set(registered.map((v) => `${v.model}:${v.version}`));
    return [...builtIns.filter((b) => !overridden.has(`${b.model}:${b.version}`)), ...registered];
  }

  version(model: string, version: string): ModelVersionView | undefined {
    return this.versions(model).find((v) => v.version === version);
  }

  /** Versions a stage may route to. */
  knownVersions(stage: string): Set<string> {
    return new Set(this.versions(this.modelStage(stage).model.name).map((v) => v.version));
  }

  /** Newest first; of one stage (its routing changes and its model's registrations) or all. */
  history(stage?: string, limit = 100): ModelControlEvent[] {
    const model = stage ? this.modelStage(stage).model.name : undefined;
    const matching = stage ? this.events.filter((e) => e.stage === stage || (e.kind === 'VERSION' && e.model === model)) : this.events;
    return matching.slice(-limit).reverse();
  }
}

function viewOf(model: string, spec: ModelVersionSpec): ModelVersionView {
  let adapter: Record<string, unknown>;
  try {
    adapter = JSON.parse(spec.adapter) as Record<string, unknown>;
  } catch {
    adapter = { invalid: spec.adapter };
  }
  return { model, version: spec.version, adapter, description: spec.description, cacheTtlMs: spec.cacheTtlMs, costPerCall: spec.costPerCall, costPerThousandTokens: spec.costPerThousandTokens, builtIn: false };
}
