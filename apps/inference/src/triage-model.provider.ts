import type { Provider } from '@nestjs/common';
import { jsonLog } from '@spine/runtime';
import { listModelVersions, loadTriageModel, type TriageModel } from '@spine/triage-model';
import { SERVICE_NAME } from './config.js';

/** Injection token of every shipped triage model version, loaded once per process (the router picks among them). */
export const TRIAGE_MODELS = Symbol('TRIAGE_MODELS');

export const triageModelsProvider: Provider = {
  provide: TRIAGE_MODELS,
  useFactory: async (): Promise<TriageModel[]> => {
    const models = await Promise.all((await listModelVersions()).map((version) => loadTriageModel({ version })));
    jsonLog(SERVICE_NAME)('info', 'triage models loaded', { versions: models.map((m) => `${m.name}@${m.version}`) });
    return models;
  },
};
