import { Injectable } from '@nestjs/common';
import { AiResultStore } from '@spine/ai-result-store';
import { sinkStage } from '@spine/platform';
import { BatchStage, type InboundMessage } from '@spine/runtime';
import { deploymentFromEnv, resolveTopic } from '@spine/topology';
import { toAiResultRow, traceIdOf } from './to-ai-result-row.js';

/** Stores every domain's AI results once per event and result topic (a redelivery is a no-op), one INSERT per batch. */
@Injectable()
export class SinkStage {
  /** Deployed topic name -> declared name, for the stored row. */
  private readonly declared = new Map(sinkStage.inputs.map((t) => [resolveTopic(t, deploymentFromEnv()).name, t.name]));

  constructor(private readonly results: AiResultStore) {}

  @BatchStage(sinkStage)
  async store(messages: readonly InboundMessage<unknown, unknown>[]) {
    const rows = messages.map((m) => {
      try {
        return toAiResultRow(m, this.declared.get(m.topic) ?? m.topic, traceIdOf(m.headers));
      } catch (error) {
        return error as Error;
      }
    });
    await this.results.saveAll(rows.filter((r): r is Exclude<typeof r, Error> => !(r instanceof Error)));
    return rows.map((r) => (r instanceof Error ? r : undefined));
  }
}
