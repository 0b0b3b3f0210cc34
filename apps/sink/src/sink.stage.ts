import { Injectable } from '@nestjs/common';
import { ResultsStore } from '@spine/results-store';
import { currentTraceId, Stage, type InboundMessage } from '@spine/runtime';
import type { SupportTriageResult } from '@spine/schemas';
import { toResultRow } from './to-result-row.js';

/** Stores each triage result once per eventId (a redelivery is a no-op), for GET /v1/results/:eventId. */
@Injectable()
export class SinkStage {
  constructor(private readonly results: ResultsStore) {}

  @Stage({ name: 'sink', input: 'triageResults', outputs: [], deadLetter: 'sinkDeadLetters' })
  async store(m: InboundMessage<SupportTriageResult>): Promise<void> {
    await this.results.saveAll([toResultRow(m, currentTraceId())]);
  }
}
