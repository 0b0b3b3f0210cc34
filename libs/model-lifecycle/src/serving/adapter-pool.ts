import { createModelAdapter, mapAdapter, type ModelAdapter, type TensorRow } from '@spine/model-adapters';
import type { Registry } from 'prom-client';
import { DependencyUnavailableError } from '@spine/runtime';
import type { ModelVersionView } from '../control/control-state.js';
import type { ModelBinding } from './binding.js';

/**
 * One adapter per model version, made from its registered configuration when first asked for and made again when the
 * configuration changes (re-registered). Tensor and chat kinds are mapped to the stage's types by its binding.
 */
export class AdapterPool<I, O> {
  private readonly adapters = new Map<string, { view: ModelVersionView; config: string; adapter: Promise<ModelAdapter<I, O>> }>();

  constructor(
    private readonly binding: ModelBinding<I, O>,
    private readonly registry: Registry,
    private readonly baseDir?: string,
  ) {}

  get(version: ModelVersionView): Promise<ModelAdapter<I, O>> {
    const held = this.adapters.get(version.version);
    if (held?.view === version) return held.adapter; // the same registration (views are made once per change)
    const config = JSON.stringify(version.adapter);
    if (held && held.config === config) {
      this.adapters.set(version.version, { ...held, view: version });
      return held.adapter;
    }
    if (held) void held.adapter.then((a) => a.close()).catch(() => undefined);
    // A version that cannot be made (a model file missing, no codec for its kind) is an outage of that version, not a
    // fault of the record: its records are redelivered (or, for a candidate, answered by the champion) until an
    // operator fixes or rolls it back; it is tried again on the next call.
    const entry = { view: version, config, adapter: Promise.resolve(undefined as unknown as ModelAdapter<I, O>) };
    entry.adapter = this.create(version).catch((error: unknown) => {
      if (this.adapters.get(version.version) === entry) this.adapters.delete(version.version);
      throw new DependencyUnavailableError(`model ${version.model}@${version.version} could not be loaded: ${(error as Error).message}`, { cause: error });
    });
    this.adapters.set(version.version, entry);
    return entry.adapter;
  }

  private async create(version: ModelVersionView): Promise<ModelAdapter<I, O>> {
    const context = { registry: this.registry, functions: this.binding.functions, ...(this.baseDir ? { baseDir: this.baseDir } : {}) };
    const kind = version.adapter.kind;
    if (kind === 'onnx' || kind === 'oip-v2') {
      if (!this.binding.tensor) throw new Error(`model ${version.model}@${version.version} is served by ${kind}, but this stage has no tensor codec for it`);
      return mapAdapter(await createModelAdapter<TensorRow, TensorRow>(version.adapter, context), this.binding.tensor);
    }
    if (kind === 'openai') {
      if (!this.binding.chat) throw new Error(`model ${version.model}@${version.version} is served by openai, but this stage has no chat codec for it`);
      return mapAdapter(await createModelAdapter<unknown, unknown>(version.adapter, context), this.binding.chat);
    }
    return createModelAdapter<I, O>(version.adapter, context);
  }

  async close(): Promise<void> {
    const all = [...this.adapters.values()];
    this.adapters.clear();
    await Promise.all(all.map(async (a) => (await a.adapter.catch(() => null))?.close()));
  }
}
