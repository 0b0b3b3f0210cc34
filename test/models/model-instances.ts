import { Registry } from 'prom-client';
import { FraudScoringStage, fraudModelBinding, type FraudAnswer } from '@spine/fraud-detection';
import { loadFraudModel } from '@spine/fraud-model';
import type { InferenceCache } from '@spine/inference-cache';
import { ModelControl, ModelGuard, ModelServing, type ModelBinding, type ModelServingFactory } from '@spine/model-lifecycle';
import { payments } from '@spine/platform';
import type { StageRunner } from '@spine/runtime';
import type { PaymentTransactionEnriched } from '@spine/schemas';
import type { SpineFixture } from '../harness/spine-fixture.js';
import { startStage } from '../harness/stage.js';

export const fraudModel = loadFraudModel('1.0.0');
export const ONNX_PATH = 'libs/fraud-model/models/fraud-lr-1.0.0.onnx';
export const onnxAdapter = { kind: 'onnx', path: ONNX_PATH, output: 'probabilities' };

/** The fraud binding, plus test functions (a slow model, a counting model) the in-process adapter may name. */
export function testFraudBinding(extra: Record<string, (input: PaymentTransactionEnriched) => FraudAnswer | Promise<FraudAnswer>> = {}): ModelBinding<PaymentTransactionEnriched, FraudAnswer> {
  const binding = fraudModelBinding([fraudModel], fraudModel);
  return { ...binding, functions: { ...binding.functions, ...extra } };
}

export interface FraudInstance {
  readonly control: ModelControl;
  readonly serving: ModelServing<PaymentTransactionEnriched, FraudAnswer>;
  readonly registry: Registry;
  readonly runner?: StageRunner;
  stop(): Promise<void>;
}

/**
 * One instance of the fraud-scoring stage as its service runs it (its own control-topic reader, router, guard), on the
 * fixture's topics; `consume: false` makes only the router (for serve-level tests).
 */
export async function fraudInstance(fx: SpineFixture, label: string, options: { binding?: ModelBinding<PaymentTransactionEnriched, FraudAnswer>; cache?: InferenceCache; consume?: boolean } = {}): Promise<FraudInstance> {
  const control = new ModelControl({ kafka: fx.kafka, codecs: fx.codecs, clientId: `${fx.prefix}${label}` });
  await control.start();
  const registry = new Registry();
  const serving = new ModelServing(payments.stages.fraudScoring, options.binding ?? testFraudBinding(), { control, registry, ...(options.cache ? { cache: options.cache } : {}) });
  const guard = new ModelGuard(serving as ModelServing<unknown, unknown>, control, { actor: label, intervalMs: 200 });
  guard.start();
  let runner: StageRunner | undefined;
  if (options.consume !== false) {
    const stage = new FraudScoringStage({ create: () => serving } as unknown as ModelServingFactory);
    runner = await startStage<PaymentTransactionEnriched>(fx, payments.stages.fraudScoring, (m) => stage.score(m));
  }
  return {
    control, serving, registry, runner,
    async stop() {
      await runner?.stop();
      await guard.stop();
      await serving.close();
      await control.stop();
    },
  };
}
