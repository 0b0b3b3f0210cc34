import { Injectable } from '@nestjs/common';
import { AiResultStore } from '@spine/ai-result-store';
import { sinkStage } from '@spine/platform';
import { currentTraceId, Stage, type InboundMessage } from '@spine/runtime';
import { deploymentFromEnv, resolveTopic } from '@spine/topology';
import { toAiResultRow } from './to-ai-result-row.js';

/** Stores every domain's AI results once per event and result topic (a redelivery is a no-op). */
@Injectable()
export class SinkStage {
  /** Deployed topic name -> declared name, for the stored row. */
  private readonly declared = new Map(sinkStage.inputs.map((t) => [resolveTopic(t, deploymentFromEnv()).name, t.name]));

  constructor(private readonly results: AiResultStore) {}

  @Stage(sinkStage)
  async store(m: InboundMessage<unknown, unknown>): Promise<void> {
    await this.results.saveAll([toAiResultRow(m, this.declared.get(m.topic) ?? m.topic, currentTraceId())]);
  }
}
