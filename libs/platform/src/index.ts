export { spinePlatform, sinkStage, webhooksStage, modelDriftStage, modelControlTopic, modelDriftTopic, redriveMarksTopic, topicsUsedBy, domains } from './spine-platform.js';
export { supportTriage } from './domains/support-triage.js';
export { payments } from './domains/payments.js';
