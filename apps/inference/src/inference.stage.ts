import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { Stage, type Emit, type InboundMessage } from '@spine/runtime';
import type { SupportMessageEnriched, SupportTriageResult } from '@spine/schemas';
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

  @Stage({ name: 'inference', input: 'enrichedMessages', outputs: ['triageResults'], deadLetter: 'inferenceDeadLetters' })
  async infer(m: InboundMessage<SupportMessageEnriched>): Promise<Emit<SupportTriageResult>> {
    if (this.delayMs > 0) await sleep(this.delayMs);
    const output = this.model.classify(toTriageInput(m.value));
    return {
      topic: 'triageResults',
      key: m.value.message.customerId,
      value: toTriageResult(m.value, output, new Date()),
    };
  }
}
