import { f } from '../config/fields.js';
import { defineKind } from '../config/kind.js';
import { AdapterConfigError } from '../errors.js';

/** Any TypeScript model function (the triage model's classify, the fraud model's score), behind the same interface. */
export const inProcessKind = defineKind({
  kind: 'in-process',
  description: 'A TypeScript function in this process, registered under a name in the adapter context (`functions`).',
  batchable: false,
  unbatchable: 'an in-process function gains nothing from merging calls',
  // Code in process does not heal by retrying and has no outage to detect: one attempt, no breaker.
  defaults: { timeoutMs: 1_000, maxConcurrency: 64, retries: { maxAttempts: 1 }, circuitBreaker: { enabled: false } },
  fields: {
    function: f.string({ description: 'Name the function was registered under in `functions` of the adapter context.', minLength: 1 }),
  },
  async create(config, context) {
    const fn = context.functions?.[config.function];
    if (typeof fn !== 'function') {
      const known = Object.keys(context.functions ?? {});
      throw new AdapterConfigError(
        [{ field: 'function', message: `no function "${config.function}" was registered; pass it in the context's functions (registered: ${known.join(', ') || 'none'})` }],
        `${config.name}@${config.version}`,
      );
    }
    return {
      target: `function ${config.function}`,
      maxBatchSize: Number.MAX_SAFE_INTEGER,
      // A synchronous function answers synchronously (no timer, no extra tick); an async one as a promise.
      invoke(inputs: readonly unknown[]) {
        const outputs = new Array<unknown>(inputs.length);
        let async = false;
        for (let i = 0; i < inputs.length; i += 1) {
          const output = fn(inputs[i]);
          outputs[i] = output;
          if (typeof (output as { then?: unknown } | null)?.then === 'function') async = true;
        }
        return async ? Promise.all(outputs).then((all) => ({ outputs: all })) : { outputs };
      },
    };
  },
});
