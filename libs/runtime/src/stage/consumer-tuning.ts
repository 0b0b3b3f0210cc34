/** Consumer tuning; defaults suit model calls that take seconds. All overridable by env (see README). */
export interface ConsumerTuning {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
  /** Records accepted per partition before it is paused (resumed at half). */
  maxBacklogPerPartition: number;
  /** A fetch waits for this many bytes or fetchMaxWaitMs, whichever comes first. */
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  /** Least time between two offset commits of a partition; stops, rebalances and drains commit at once. */
  commitIntervalMs: number;
}

export function consumerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): ConsumerTuning {
  return {
    sessionTimeoutMs: Number(env.SPINE_SESSION_TIMEOUT_MS ?? 30_000),
    // Frequent heartbeats: a member learns of a rebalance within a second and stops starting records.
    heartbeatIntervalMs: Number(env.SPINE_HEARTBEAT_INTERVAL_MS ?? 1_000),
    partitionsConsumedConcurrently: Number(env.SPINE_PARTITIONS_CONCURRENCY ?? 4),
    maxBacklogPerPartition: Number(env.SPINE_MAX_BACKLOG_PER_PARTITION ?? 256),
    // The broker answers a fetch as soon as it has a byte, so a quiet topic adds no wait per hop; under load
    // fetching runs ahead of handling (decoupled), so data accumulates and fetches come back full anyway.
    fetchMinBytes: Number(env.SPINE_FETCH_MIN_BYTES ?? 1),
    fetchMaxWaitMs: Number(env.SPINE_FETCH_MAX_WAIT_MS ?? 100),
    // One OffsetCommit per partition per round trip cost the broker more CPU than the records themselves under
    // load; a crash redoes at most this much more (outputs are at-least-once anyway, sinks dedupe by event id).
    commitIntervalMs: Number(env.SPINE_COMMIT_INTERVAL_MS ?? 100),
  };
}
