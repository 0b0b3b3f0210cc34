import { randomUUID } from 'node:crypto';
import type { jsonLog } from '@spine/runtime';
import { retryDelay, type WebhooksConfig } from './config.js';
import { deliveryBody } from './delivery-body.js';
import type { AttemptOutcome, HttpSender } from './http-sender.js';
import type { WebhookMetrics } from './metrics.js';
import type { ClaimedDelivery, Outbox } from './outbox.js';
import type { SecretBox } from './secret-box.js';
import { signedHeaders } from './signer.js';

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Sends due deliveries from the outbox, away from the pipeline, each subscription on its own: its own
 * slots (SPINE_WEBHOOKS_CONCURRENCY attempts in flight at once) and its own claims, so a slow or dead
 * receiver (or the cost of scanning its backlog) only ever holds up itself. New deliveries go out as
 * soon as the stage queues them (wake); retries and other instances' leftovers are found by a poll. A
 * failed attempt is retried on the configured schedule (jittered); after the last one the delivery is
 * dead-lettered with its last status and error.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private polling = false;
  private readonly inFlight = new Map<string, number>();
  private readonly claiming = new Set<string>();
  private readonly wokenWhileClaiming = new Set<string>();
  /** Subscriptions whose last claim found nothing sendable although deliveries wait (held behind failures). */
  private readonly blockedAt = new Map<string, number>();
  private readonly sends = new Set<Promise<void>>();
  private lastPurge = 0;
  private readonly leaseMs: number;

  constructor(
    private readonly outbox: Outbox,
    private readonly sender: HttpSender,
    private readonly secrets: SecretBox,
    private readonly metrics: WebhookMetrics,
    private readonly config: WebhooksConfig,
    private readonly log: ReturnType<typeof jsonLog>,
  ) {
    // Long enough for the attempt; a crashed instance's claims are taken over once it runs out.
    this.leaseMs = config.requestTimeoutMs + 30_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.poll(), this.config.pollMs);
    void this.poll();
  }

  /** New deliveries were queued for these subscriptions: claim them now rather than at the next poll. */
  wake(subscriptionIds: readonly string[]): void {
    for (const id of subscriptionIds) this.claimFor(id, false);
  }

  /** Stops claiming and waits for the attempts in flight (each bounded by the request timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.sends]);
    this.sender.close();
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      for (const id of await this.outbox.dueSubscriptions()) this.claimFor(id, true);
      this.maybePurge();
    } catch (error) {
      this.log('warn', 'looking for due webhook deliveries failed; retrying at the next poll', { error: (error as Error).message });
    } finally {
      this.polling = false;
    }
  }

  /** One claim at a time per subscription; a blocked one is only looked at again by the poll. */
  private claimFor(subscriptionId: string, fromPoll: boolean): void {
    if (this.stopped) return;
    if (this.claiming.has(subscriptionId)) {
      this.wokenWhileClaiming.add(subscriptionId);
      return;
    }
    const blockedAt = this.blockedAt.get(subscriptionId);
    if (!fromPoll && blockedAt !== undefined && Date.now() - blockedAt < this.config.pollMs) return;
    const free = this.config.concurrencyPerSubscription - (this.inFlight.get(subscriptionId) ?? 0);
    if (free <= 0) return; // woken again when one of its attempts finishes
    this.claiming.add(subscriptionId);
    void this.claim(subscriptionId, free)
      .catch((error: Error) => this.log('warn', 'claiming webhook deliveries failed; retrying at the next poll', { subscription: subscriptionId, error: error.message }))
      .finally(() => {
        this.claiming.delete(subscriptionId);
        if (this.wokenWhileClaiming.delete(subscriptionId)) this.claimFor(subscriptionId, false);
      });
  }

  private async claim(subscriptionId: string, free: number): Promise<void> {
    const claimed = await this.outbox.claim(subscriptionId, free, randomUUID(), this.leaseMs);
    for (const delivery of claimed) this.launch(delivery);
    if (claimed.length || this.inFlight.has(subscriptionId)) this.blockedAt.delete(subscriptionId);
    else if (await this.outbox.hasPending(subscriptionId)) this.blockedAt.set(subscriptionId, Date.now());
    else this.blockedAt.delete(subscriptionId);
  }

  private launch(delivery: ClaimedDelivery): void {
    const sub = delivery.subscriptionId;
    this.inFlight.set(sub, (this.inFlight.get(sub) ?? 0) + 1);
    const send: Promise<void> = this.attempt(delivery)
      .catch((error: Error) => this.log('warn', 'could not record a webhook attempt; it is retried when its lease ends', { delivery: delivery.id, error: error.message }))
      .finally(() => {
        this.sends.delete(send);
        const left = (this.inFlight.get(sub) ?? 1) - 1;
        if (left > 0) this.inFlight.set(sub, left);
        else this.inFlight.delete(sub);
        this.claimFor(sub, false); // the next delivery of this entity (or another) may be due now
      });
    this.sends.add(send);
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const started = performance.now();
    let outcome: AttemptOutcome;
    try {
      const body = deliveryBody(d);
      outcome = await this.sender.post(d.url, signedHeaders(this.secrets.open(d.sealedSecret), d.id, new Date(), body), body);
    } catch (error) {
      outcome = { ok: false, status: null, error: (error as Error).message };
    }
    const labels = { subscription: d.subscriptionId };
    this.metrics.requestSeconds.observe(labels, (performance.now() - started) / 1000);
    if (outcome.ok) {
      if (await this.outbox.delivered(d, outcome.status!)) {
        this.metrics.deliveries.inc({ ...labels, outcome: 'ok' });
        this.metrics.deliveryLagSeconds.observe(labels, Math.max(0, Date.now() - d.createdAt.getTime()) / 1000);
      }
      return;
    }
    const retryInMs = retryDelay(this.config, d.attempts + 1);
    if (!(await this.outbox.failed(d, outcome, retryInMs))) return;
    if (retryInMs === undefined) {
      this.metrics.deliveries.inc({ ...labels, outcome: 'dead' });
      this.log('warn', 'webhook delivery dead-lettered', { subscription: d.subscriptionId, delivery: d.id, attempts: d.attempts + 1, status: outcome.status, error: outcome.error });
    } else {
      this.metrics.deliveries.inc({ ...labels, outcome: 'failed' });
    }
  }

  private maybePurge(): void {
    if (Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    void this.outbox.purgeDelivered(this.config.retentionMs).then(
      (n) => n && this.log('info', 'purged delivered webhook rows past retention', { rows: n }),
      (error: Error) => this.log('warn', 'purging delivered webhook rows failed', { error: error.message }),
    );
  }
}
