import type { SchemaCatalog } from '@spine/schemas';
import type { ModelDriftEvent } from '@spine/schemas';
import { resolveTopic, type Deployment, type DriftMonitorSpec } from '@spine/topology';
import type { DriftGauges } from './drift-gauges.js';
import { checkDriftSettings, type DriftSettings } from './drift-settings.js';
import { DriftTracker, type SeriesId } from './drift-tracker.js';
import { fieldKindOf } from './field-kinds.js';
import { kindOfValue, toObservation, UnsupportedValueError, type FieldKind } from './observation.js';
import type { ReferenceOptions } from './reference-distribution.js';
import type { Rearmed, StoredReference } from './reference-store.js';
import { valueAt } from './value-at.js';

/** A decoded record from a watched topic, as the stage receives it. */
export interface WatchedRecord {
  /** The topic as deployed (prefix included). */
  readonly topic: string;
  readonly value: unknown;
  /** Kafka timestamp (ms, as a number or the string kafkajs gives). */
  readonly timestamp?: string | number;
}

export interface DriftDetectorOptions extends ReferenceOptions {
  readonly settings: DriftSettings;
  /** Where the watched topics are deployed: records arrive under deployed names. */
  readonly deployment: Deployment;
  /** Schemas to check each watched field's type against at start-up; without it a field's kind comes from its first value. */
  readonly catalog?: SchemaCatalog;
  readonly gauges?: DriftGauges;
  /** Reference windows stored earlier (see DriftReferenceStore): those series judge from their first value. */
  readonly references?: readonly StoredReference[];
  /** Told once about each configuration or data problem (a field that is skipped). */
  readonly onProblem?: (problem: string) => void;
  readonly now?: () => number;
}

/** A record from a topic no monitor watches. */
export class UnwatchedTopicError extends Error {
  constructor(readonly topic: string, watched: readonly string[]) {
    super(`drift: no monitor watches topic "${topic}"; watched (deployed names): ${watched.join(', ')}`);
    this.name = 'UnwatchedTopicError';
  }
}

interface WatchedField {
  readonly path: string;
  kind: FieldKind | undefined;
  disabled: boolean;
}

interface WatchedTopic {
  readonly name: string;
  readonly versionField: string | undefined;
  readonly fields: WatchedField[];
}

/**
 * Drift detection over the platform's monitors: takes each field of each record by path, keeps a reference window
 * and a sliding window per topic, field and model version, and returns a ModelDriftEvent when a field's PSI crosses
 * the bound (once per excursion: re-armed below bound / 2). Domain-free: the monitors say what to watch.
 */
export class DriftDetector {
  readonly tracker: DriftTracker;
  /** Configuration problems found at start-up (those fields are skipped). */
  readonly problems: string[] = [];
  private readonly topics = new Map<string, WatchedTopic>();
  private readonly now: () => number;
  private rearmed: Rearmed[] = [];

  constructor(
    monitors: readonly DriftMonitorSpec[],
    private readonly options: DriftDetectorOptions,
  ) {
    this.tracker = new DriftTracker(checkDriftSettings(options.settings), options, options.references);
    this.now = options.now ?? Date.now;
    for (const monitor of monitors) {
      const deployed = resolveTopic(monitor.topic, options.deployment).name;
      const schema = monitor.topic.value === null ? undefined : options.catalog?.get(monitor.topic.value);
      if (options.catalog && !schema) this.problem(`drift monitor of ${monitor.topic.name}: value schema "${monitor.topic.value ?? '(raw bytes)'}" is not in the schema catalog; its fields are typed by their first values`);
      const existing = this.topics.get(deployed);
      const watched: WatchedTopic = existing ?? { name: monitor.topic.name, versionField: monitor.versionField, fields: [] };
      for (const path of monitor.fields) {
        let kind: FieldKind | undefined;
        if (schema) {
          const lookup = fieldKindOf(schema.type, path);
          if ('problem' in lookup) {
            this.problem(`drift monitor of ${monitor.topic.name}: field ${lookup.problem}; it is skipped (fix the monitor in the domain's registry file)`);
            continue;
          }
          kind = lookup.kind;
        }
        watched.fields.push({ path, kind, disabled: false });
      }
      this.topics.set(deployed, watched);
    }
  }

  /** Deployed names of the watched topics. */
  get watchedTopics(): string[] {
    return [...this.topics.keys()];
  }

  /** Feeds one record's watched fields; returns the drift events it caused (usually none). */
  observe(record: WatchedRecord): ModelDriftEvent[] {
    const topic = this.topics.get(record.topic);
    if (!topic) throw new UnwatchedTopicError(record.topic, this.watchedTopics);
    const rawVersion = topic.versionField ? valueAt(record.value, topic.versionField) : undefined;
    const version = rawVersion === undefined || rawVersion === null ? null : String(rawVersion);
    const events: ModelDriftEvent[] = [];
    for (const field of topic.fields) {
      if (field.disabled) continue;
      const raw = valueAt(record.value, field.path);
      field.kind ??= kindOfValue(raw);
      if (!field.kind) continue; // only nulls so far, or an unsupported value (reported below)
      const id: SeriesId = { topic: topic.name, field: field.path, version };
      let observation;
      try {
        observation = toObservation(field.path, field.kind, raw);
      } catch (error) {
        if (!(error instanceof UnsupportedValueError)) throw error;
        field.disabled = true;
        this.problem(`drift monitor of ${topic.name}: ${error.message}; the field is no longer watched`);
        continue;
      }
      const evaluation = this.tracker.observe(id, field.kind, observation);
      if (!evaluation) {
        const series = this.tracker.get(id)!;
        // While the reference fills, and once at the first window value (a just completed or restored reference).
        if (series.windowCount <= 1) this.options.gauges?.reference(id, series.referenceCount);
        continue;
      }
      this.options.gauges?.evaluated(id, evaluation.psi);
      if (evaluation.rearmed) this.rearmed.push({ id, at: new Date(this.now()) });
      if (!evaluation.drifted) continue;
      this.options.gauges?.drifted(id);
      events.push({
        topic: topic.name,
        field: field.path,
        modelVersion: version,
        statistic: 'psi',
        value: evaluation.psi,
        bound: this.tracker.settings.bound,
        referenceCount: evaluation.referenceCount,
        windowCount: evaluation.windowCount,
        windowEndedAt: new Date(timestampOf(record.timestamp) ?? this.now()),
        detectedAt: new Date(this.now()),
      });
    }
    return events;
  }

  /** Reference windows completed since the last call, to persist (see DriftReferenceStore). */
  takeCompletedReferences(): StoredReference[] {
    return this.tracker.takeCompletedReferences();
  }

  /** Series armed again since the last call, to persist (see DriftReferenceStore.saveRearmed). */
  takeRearmed(): Rearmed[] {
    const taken = this.rearmed;
    this.rearmed = [];
    return taken;
  }

  /**
   * Drift events published before this process started (read back from the drift topic): a series whose drift
   * was not seen to end stays disarmed, so a restart does not report the same drift again. Before the first observe.
   */
  restoreReported(events: Iterable<Pick<ModelDriftEvent, 'topic' | 'field' | 'modelVersion' | 'detectedAt'>>): void {
    this.tracker.restoreReported([...events].map((e) => ({ id: { topic: e.topic, field: e.field, version: e.modelVersion ?? null }, at: e.detectedAt.getTime() })));
  }

  private problem(message: string): void {
    this.problems.push(message);
    this.options.onProblem?.(message);
  }
}

/** Key of a drift event on the drift topic: `<topic>/<field>` (topic: the declared name). */
export function driftEventKey(event: Pick<ModelDriftEvent, 'topic' | 'field'>): string {
  return `${event.topic}/${event.field}`;
}

function timestampOf(timestamp: string | number | undefined): number | undefined {
  const ms = typeof timestamp === 'string' ? Number(timestamp) : timestamp;
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
