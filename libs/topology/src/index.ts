export { subjectFor, DAY_MS, type TopicSpec } from './topic-spec.js';
export { spineTopology, type SpineTopology } from './spine-topology.js';
export { provision, IncompatibleSchemaError, type ProvisionStep, type ProvisionOptions } from './provision.js';
export { compatibilityIssues, parseSchema } from './compatibility.js';
