import type { ModelAdapter } from './adapter.js';
import { ADAPTER_KINDS, validateAdapterConfig } from './config/adapter-config.js';
import type { AdapterContext, KindSpec } from './config/kind.js';
import { GuardedAdapter } from './guarded-adapter.js';

/**
 * The adapter a configuration describes (validated first; an AdapterConfigError names every bad field). The
 * backend is made but not called: a server that is down at start-up is an outage of the first calls, not a crash.
 * `I`/`O` are what the chosen kind takes and answers (tensor kinds: rows of numbers; in-process: the function's;
 * openai: the template's input object and the output schema's value).
 */
export async function createModelAdapter<I = unknown, O = unknown>(config: unknown, context: AdapterContext): Promise<ModelAdapter<I, O>> {
  const resolved = validateAdapterConfig(config);
  const spec = ADAPTER_KINDS[resolved.kind] as unknown as KindSpec;
  const backend = await spec.create(resolved as never, context);
  return new GuardedAdapter<I, O>(backend, resolved, { registry: context.registry, now: context.now });
}
