import { Injectable } from '@nestjs/common';
import { webhooksStage } from '@spine/platform';
import { Stage, type InboundMessage } from '@spine/runtime';
import { deploymentFromEnv, resolveTopic } from '@spine/topology';
import { toOutboxEntry } from './delivery-body.js';
import { Dispatcher } from './dispatcher.js';
import { Outbox } from './outbox.js';

/**
 * The delivery stage: for each AI result, one outbox row per matching subscription, then the offset
 * commits. Nothing here waits on a receiver; the dispatcher sends from the outbox.
 */
@Injectable()
export class WebhooksStage {
  /** Deployed topic name -> declared name (what subscriptions name). */
  private readonly declared = new Map(webhooksStage.inputs.map((t) => [resolveTopic(t, deploymentFromEnv()).name, t.name]));

  constructor(
    private readonly outbox: Outbox,
    private readonly dispatcher: Dispatcher,
  ) {}

  @Stage(webhooksStage)
  async enqueue(m: InboundMessage<unknown, unknown>): Promise<void> {
    const queuedFor = await this.outbox.enqueue(toOutboxEntry(m, this.declared.get(m.topic) ?? m.topic));
    if (queuedFor.length) this.dispatcher.wake(queuedFor);
  }
}
