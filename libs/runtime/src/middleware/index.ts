import { correlationIdMiddleware } from './correlation-id.js';
import { deadLetterMiddleware } from './dead-letter.js';
import { deadlineMiddleware } from './deadline.js';
import { decodeMiddleware } from './decode.js';
import { metricsMiddleware } from './metrics.js';
import { outputCheckMiddleware } from './output-check.js';
import { publishMiddleware } from './publish.js';
import { retryMiddleware } from './retry.js';
import { traceContextMiddleware } from './trace-context.js';
import type { StageMiddleware } from './types.js';

/**
 * Where app middlewares go among the built-ins. Outside them: per record (metrics, trace, correlation id,
 * dead letter), per attempt (retry, publish, deadline, decode). Inside them, next to the handler: the
 * output check. So an app middleware sees the decoded message, runs on every attempt within its deadline,
 * and what it returns (a cache hit, say) is checked and published like the handler's own outputs.
 */
export function builtInChain(app: readonly StageMiddleware[]): StageMiddleware[] {
  return [
    metricsMiddleware,
    traceContextMiddleware,
    correlationIdMiddleware,
    deadLetterMiddleware,
    retryMiddleware,
    publishMiddleware,
    deadlineMiddleware,
    decodeMiddleware,
    ...app,
    outputCheckMiddleware,
  ];
}

export { compose, type RecordContext, type StageMiddleware, type StageServices, type Next, type Log } from './types.js';
export {
  correlationIdMiddleware,
  deadLetterMiddleware,
  deadlineMiddleware,
  decodeMiddleware,
  metricsMiddleware,
  outputCheckMiddleware,
  publishMiddleware,
  retryMiddleware,
  traceContextMiddleware,
};
