import { createModelAdapter, mapAdapter, type ModelAdapter, type TensorRow } from '@spine/model-adapters';
import type { Registry } from 'prom-client';
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
    const adapter = this.create(version);
    adapter.catch(() => this.adapters.delete(version.version)); // a bad configuration is tried again next time
    this.adapters.set(version.version, { view: version, config, adapter });
    return adapter;
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
