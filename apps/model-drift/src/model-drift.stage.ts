import { Injectable } from '@nestjs/common';
import { DriftDetector, driftEventKey } from '@spine/drift-detection';
import { modelDriftStage, modelDriftTopic } from '@spine/platform';
import { BatchStage, jsonLog, PermanentError, type InboundFor } from '@spine/runtime';
import { SERVICE_NAME } from './config.js';
import { DriftReports } from './drift-reports.js';
import { ReferenceSaver } from './reference-saver.js';

const log = jsonLog(SERVICE_NAME);

/** Feeds every watched record to the drift detector and publishes a ModelDriftEvent, keyed `<topic>/<field>`, per drift. */
@Injectable()
export class ModelDriftStage {
  constructor(
    private readonly detector: DriftDetector,
    private readonly references: ReferenceSaver,
    private readonly reports: DriftReports,
  ) {}

  @BatchStage(modelDriftStage)
  async observe(messages: readonly InboundFor<typeof modelDriftStage>[]) {
    await this.reports.restore(); // once, before the first record: drifts reported before a restart
    const results = messages.map((m) => {
      try {
        return this.detector.observe(m).map((event) => {
          log('warn', 'drift detected', { ...event, windowEndedAt: event.windowEndedAt.toISOString(), detectedAt: event.detectedAt.toISOString() });
          return { topic: modelDriftTopic, key: driftEventKey(event), value: event };
        });
      } catch (error) {
        return new PermanentError(`drift: ${(error as Error).message}`);
      }
    });
    await this.references.save();
    return results;
  }
}
