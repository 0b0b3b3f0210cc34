import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { ModelServingFactory, type ModelServing } from '@spine/model-lifecycle';
import { supportTriage } from '@spine/platform';
import { Stage, type InboundMessage } from '@spine/runtime';
import type { SupportMessageEnriched } from '@spine/schemas';
import type { TriageInput, TriageModel } from '@spine/triage-model';
import { inferenceDelayMs } from './config.js';
import { triageBinding } from './triage-binding.js';
import { toTriageInput, toTriageResult, type TriageAnswer } from './triage-mapping.js';
import { TRIAGE_MODELS } from './triage-model.provider.js';

const { stages, topics } = supportTriage;

/**
 * Triages each enriched support message (sentiment, intent, priority) with the version the model router picks for the
 * customer (champion, A/B arm, canary, or the cascade's bigger model when the first is unsure); shadows to the shadow topic.
 */
@Injectable()
export class InferenceStage {
  /** Test-only artificial latency per record (SPINE_INFERENCE_DELAY_MS, see config.ts): simulates a slow LLM. */
  private readonly delayMs = inferenceDelayMs();
  private readonly models: ModelServing<TriageInput, TriageAnswer>;

  constructor(@Inject(TRIAGE_MODELS) models: TriageModel[], factory: ModelServingFactory) {
    this.models = factory.create(stages.inference, triageBinding(models));
  }

  @Stage(stages.inference)
  async infer(m: InboundMessage<SupportMessageEnriched>) {
    if (this.delayMs > 0) await sleep(this.delayMs, undefined, { signal: m.signal });
    const key = m.value.message.customerId;
    const served = await this.models.serve(key, toTriageInput(m.value), m.signal);
    const inferredAt = new Date();
    return [
      { topic: topics.triageResults, key, value: toTriageResult(m.value, served.output, served.model, inferredAt) },
      ...served.shadows.map((shadow) => ({ topic: topics.triageResultsShadow, key, value: toTriageResult(m.value, shadow.output, shadow.model, inferredAt) })),
    ];
  }
}
