import type { Provider } from '@nestjs/common';
import { jsonLog } from '@spine/runtime';
import { loadTriageModel, type TriageModel } from '@spine/triage-model';
import { modelVersion, SERVICE_NAME } from './config.js';

/** Injection token of the triage model, loaded once per process. */
export const TRIAGE_MODEL = Symbol('TRIAGE_MODEL');

export const triageModelProvider: Provider = {
  provide: TRIAGE_MODEL,
  useFactory: async (): Promise<TriageModel> => {
    const model = await loadTriageModel({ version: modelVersion() });
    jsonLog(SERVICE_NAME)('info', 'triage model loaded', { model: model.name, version: model.version });
    return model;
  },
};
