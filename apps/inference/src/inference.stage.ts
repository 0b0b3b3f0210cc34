import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { supportTriage } from '@spine/platform';
import { Stage, type InboundMessage } from '@spine/runtime';
import type { SupportMessageEnriched } from '@spine/schemas';
import type { TriageModel } from '@spine/triage-model';
import { inferenceDelayMs } from './config.js';
import { toTriageInput, toTriageResult } from './triage-mapping.js';
import { TRIAGE_MODEL } from './triage-model.provider.js';

/** Triages each enriched support message (sentiment, intent, priority) with the loaded model. */
@Injectable()
export class InferenceStage {
  /** Test-only artificial latency per record (SPINE_INFERENCE_DELAY_MS, see config.ts): simulates a slow LLM. */
  private readonly delayMs = inferenceDelayMs();

  constructor(@Inject(TRIAGE_MODEL) private readonly model: TriageModel) {}

  @Stage(supportTriage.stages.inference)
  async infer(m: InboundMessage<SupportMessageEnriched>) {
    if (this.delayMs > 0) await sleep(this.delayMs, undefined, { signal: m.signal });
    const output = this.model.classify(toTriageInput(m.value));
    return {
      topic: supportTriage.topics.triageResults,
      key: m.value.message.customerId,
      value: toTriageResult(m.value, output, new Date()),
    };
  }
}
