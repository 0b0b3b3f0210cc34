import type { Provider } from '@nestjs/common';
import { DriftDetector, DriftGauges, driftSettingsFromEnv, type DriftReferenceStore } from '@spine/drift-detection';
import { spinePlatform } from '@spine/platform';
import { SpineContext } from '@spine/runtime';
import { REFERENCE_STORE } from './reference-store.provider.js';

/**
 * The drift detector over every domain's monitors: settings from SPINE_DRIFT_*, watched fields checked against
 * their topics' Avro schemas (a field that cannot be watched is logged as an error and skipped), gauges on the
 * service's /metrics registry, and the reference windows stored by an earlier run (when PostgreSQL is configured).
 */
export const driftDetectorProvider: Provider = {
  provide: DriftDetector,
  inject: [SpineContext, REFERENCE_STORE],
  useFactory: async (context: SpineContext, store: DriftReferenceStore | null) => {
    const settings = driftSettingsFromEnv();
    const references = store ? await store.loadAll(context.deployment.prefix) : [];
    const detector = new DriftDetector(spinePlatform.monitors, {
      settings,
      deployment: context.deployment,
      catalog: context.catalog,
      gauges: new DriftGauges(context.metrics.registry),
      references,
      onProblem: (problem) => context.log('error', problem),
    });
    const fields = spinePlatform.monitors.reduce((n, m) => n + m.fields.length, 0) - detector.problems.length;
    context.log('info', 'drift detection configured', {
      ...settings,
      topics: detector.watchedTopics,
      fields,
      skipped: detector.problems.length,
      references: store ? `PostgreSQL (${references.length} stored)` : 'memory only (DATABASE_URL not set)',
    });
    return detector;
  },
};
