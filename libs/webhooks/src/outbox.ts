import type pg from 'pg';
import { isUuid } from './subscription-store.js';

/** One result to deliver, as the stage hands it over: the same body for every matching subscription. */
export interface OutboxEntry {
  readonly resultTopic: string;
  readonly eventId: string;
  /** The record's key; '' when it had none (those are ordered together). */
  readonly entityKey: string;
  /** The result's JSON: matched against field filters, and the `result` of the body sent. */
  readonly result: Record<string, unknown>;
}

/** A delivery claimed for one attempt, with where it goes. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly sealedSecret: string;
  readonly resultTopic: string;
  readonly eventId: string;
  readonly entityKey: string;
  readonly result: Record<string, unknown>;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly lease: string;
}

export interface DeadLetter {
  readonly deliveryId: string;
  readonly resultTopic: string;
  readonly eventId: string;
  readonly entityKey: string;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deadAt: string;
}

/**
 * The webhook outbox in PostgreSQL. The stage writes one row per matching subscription (idempotent by
 * subscription, result topic and event id); the dispatcher claims due rows with a lease and records
 * each attempt's outcome. Only the head of a subscription's queue for an entity (lowest seq still
 * pending) can be claimed, so one entity's deliveries go out one at a time, in order.
 */
export class Outbox {
  private readonly t: string;
  private readonly s: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.t = `${schema}.webhook_deliveries`;
    this.s = `${schema}.webhook_subscriptions`;
  }

  /** Queues the result for every enabled subscription it matches; returns the subscriptions newly queued for. */
  async enqueue(entry: OutboxEntry): Promise<string[]> {
    const { rows } = await this.pool.query<{ subscription_id: string }>(
      `INSERT INTO ${this.t} (subscription_id, result_topic, event_id, entity_key, result)
       SELECT s.id, $1, $2::uuid, $3, $4::jsonb FROM ${this.s} s
        WHERE s.enabled AND $1 = ANY (s.result_topics)
          AND (cardinality(s.entity_keys) = 0 OR $3 = ANY (s.entity_keys))
          AND NOT EXISTS (
                SELECT 1 FROM jsonb_array_elements(s.field_filters) f
                 WHERE ($4::jsonb #>> ARRAY(SELECT jsonb_array_elements_text(f->'path'))) IS DISTINCT FROM f->>'equals')
        ORDER BY s.id
       ON CONFLICT (subscription_id, result_topic, event_id) DO NOTHING
       RETURNING subscription_id`,
      [entry.resultTopic, entry.eventId, entry.entityKey, JSON.stringify(entry.result)],
    );
    return rows.map((r) => r.subscription_id);
  }

  /** Enabled subscriptions with a delivery that is due and not leased. */
  async dueSubscriptions(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT s.id FROM ${this.s} s WHERE s.enabled AND EXISTS (
         SELECT 1 FROM ${this.t} d WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= now()
            AND (d.leased_until IS NULL OR d.leased_until < now()))`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Leases up to `limit` due deliveries of one subscription for `leaseMs`, each the head of its entity's
   * queue, oldest first. SKIP LOCKED: instances never wait on each other's claims.
   */
  async claim(subscriptionId: string, limit: number, lease: string, leaseMs: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.pool.query<{ id: string; subscription_id: string; url: string; secret: string; result_topic: string; event_id: string; entity_key: string; result: Record<string, unknown>; attempts: number; created_at: Date }>(
      `WITH due AS (
         SELECT d.id FROM ${this.t} d
          WHERE d.subscription_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= now()
            AND (d.leased_until IS NULL OR d.leased_until < now())
            -- the head of its entity's queue, and none of its entity in flight (a redriven older one must not overtake)
            AND NOT EXISTS (
                  SELECT 1 FROM ${this.t} e
                   WHERE e.subscription_id = $1 AND e.entity_key = d.entity_key AND e.status = 'pending'
                     AND (e.seq < d.seq OR e.leased_until >= now()))
          ORDER BY d.seq LIMIT $2
          FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE ${this.t} d SET lease = $3, leased_until = now() + $4 * interval '1 millisecond'
         FROM due, ${this.s} s
        WHERE d.id = due.id AND s.id = d.subscription_id AND s.enabled
       RETURNING d.id, d.subscription_id, s.url, s.secret, d.result_topic, d.event_id, d.entity_key, d.result, d.attempts, d.created_at`,
      [subscriptionId, limit, lease, leaseMs],
    );
    return rows.map((r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      url: r.url,
      sealedSecret: r.secret,
      resultTopic: r.result_topic,
      eventId: r.event_id,
      entityKey: r.entity_key,
      result: r.result,
      attempts: r.attempts,
      createdAt: r.created_at,
      lease,
    }));
  }

  /** Whether the subscription has any delivery still to send (claimable now or not). */
  async hasPending(subscriptionId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ pending: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${this.t} WHERE subscription_id = $1 AND status = 'pending') AS pending`, [subscriptionId]);
    return rows[0]!.pending;
  }

  /** A 2xx: delivered. False when the lease was lost (another instance took the delivery over). */
  async delivered(d: ClaimedDelivery, status: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.t} SET status = 'delivered', attempts = attempts + 1, last_attempt_at = now(), last_status = $3, last_error = NULL,
              delivered_at = now(), lease = NULL, leased_until = NULL WHERE id = $1 AND lease = $2`,
      [d.id, d.lease, status],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** A failed attempt: due again after `retryInMs`, or dead-lettered when that is undefined. */
  async failed(d: ClaimedDelivery, outcome: { status: number | null; error: string }, retryInMs: number | undefined): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.t} SET attempts = attempts + 1, last_attempt_at = now(), last_status = $3, last_error = $4, lease = NULL, leased_until = NULL,
              status = CASE WHEN $5::integer IS NULL THEN 'dead' ELSE 'pending' END,
              dead_at = CASE WHEN $5::integer IS NULL THEN now() END,
              next_attempt_at = CASE WHEN $5::integer IS NULL THEN next_attempt_at ELSE now() + $5::integer * interval '1 millisecond' END
        WHERE id = $1 AND lease = $2`,
      [d.id, d.lease, outcome.status, outcome.error.slice(0, 1000), retryInMs ?? null],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** A subscription's dead letters, oldest first. */
  async deadLetters(subscriptionId: string, limit = 100): Promise<DeadLetter[]> {
    if (!isUuid(subscriptionId)) return [];
    const { rows } = await this.pool.query<{ id: string; result_topic: string; event_id: string; entity_key: string; attempts: number; last_status: number | null; last_error: string | null; created_at: Date; dead_at: Date }>(
      `SELECT id, result_topic, event_id, entity_key, attempts, last_status, last_error, created_at, dead_at
         FROM ${this.t} WHERE subscription_id = $1 AND status = 'dead' ORDER BY seq LIMIT $2`,
      [subscriptionId, limit],
    );
    return rows.map((r) => ({
      deliveryId: r.id,
      resultTopic: r.result_topic,
      eventId: r.event_id,
      entityKey: r.entity_key,
      attempts: r.attempts,
      lastStatus: r.last_status,
      lastError: r.last_error,
      createdAt: r.created_at.toISOString(),
      deadAt: r.dead_at.toISOString(),
    }));
  }

  /** Makes a subscription's dead letters (all, or the ids given) due again with a fresh retry schedule. */
  async redrive(subscriptionId: string, deliveryIds?: readonly string[]): Promise<number> {
    if (!isUuid(subscriptionId)) return 0;
    const byId = deliveryIds !== undefined;
    const result = await this.pool.query(
      `UPDATE ${this.t} SET status = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL
        WHERE subscription_id = $1 AND status = 'dead' ${byId ? 'AND id = ANY ($2::uuid[])' : ''}`,
      byId ? [subscriptionId, deliveryIds.filter(isUuid)] : [subscriptionId],
    );
    return result.rowCount ?? 0;
  }

  /** Pending and dead deliveries per subscription (the backlog and dead-letter gauges). */
  async backlog(): Promise<Array<{ subscriptionId: string; pending: number; dead: number }>> {
    const { rows } = await this.pool.query<{ subscription_id: string; pending: string; dead: string }>(
      `SELECT subscription_id, count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'dead') AS dead
         FROM ${this.t} WHERE status IN ('pending', 'dead') GROUP BY subscription_id`,
    );
    return rows.map((r) => ({ subscriptionId: r.subscription_id, pending: Number(r.pending), dead: Number(r.dead) }));
  }

  /** Deletes delivered rows older than `olderThanMs`, in batches; returns how many. */
  async purgeDelivered(olderThanMs: number, batch = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.pool.query(
        `DELETE FROM ${this.t} WHERE id IN (SELECT id FROM ${this.t} WHERE status = 'delivered' AND delivered_at < now() - $1 * interval '1 millisecond' LIMIT $2)`,
        [olderThanMs, batch],
      );
      total += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < batch) return total;
    }
  }
}
