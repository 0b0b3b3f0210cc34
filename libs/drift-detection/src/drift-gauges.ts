import { Counter, Gauge, type Registry } from 'prom-client';
import type { SeriesId } from './drift-tracker.js';

/**
 * Drift metrics on a service's Prometheus registry. `version` is the model version of result fields, empty for
 * fields not split by version.
 */
export class DriftGauges {
  readonly psi: Gauge<'topic' | 'field' | 'version'>;
  readonly events: Counter<'topic' | 'field'>;
  readonly referenceSize: Gauge<'topic' | 'field' | 'version'>;

  constructor(registry: Registry) {
    this.psi = new Gauge({ name: 'spine_drift_psi', help: 'Population stability index of the last evaluated window against the reference', labelNames: ['topic', 'field', 'version'], registers: [registry] });
    this.events = new Counter({ name: 'spine_drift_events_total', help: 'Drift events emitted (PSI crossed the bound while armed)', labelNames: ['topic', 'field'], registers: [registry] });
    this.referenceSize = new Gauge({ name: 'spine_drift_reference_size', help: 'Values in the reference window (it is complete at SPINE_DRIFT_REFERENCE_SIZE)', labelNames: ['topic', 'field', 'version'], registers: [registry] });
  }

  evaluated(id: SeriesId, psi: number): void {
    this.psi.set(labels(id), psi);
  }

  reference(id: SeriesId, size: number): void {
    this.referenceSize.set(labels(id), size);
  }

  drifted(id: SeriesId): void {
    this.events.inc({ topic: id.topic, field: id.field });
  }
}

function labels(id: SeriesId) {
  return { topic: id.topic, field: id.field, version: id.version ?? '' };
}
