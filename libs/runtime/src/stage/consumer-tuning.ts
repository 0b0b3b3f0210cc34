/** Consumer tuning; defaults suit model calls that take seconds. All overridable by env (see README). */
export interface ConsumerTuning {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
  /** Records accepted per partition before it is paused (resumed at half). */
  maxBacklogPerPartition: number;
  /** A fetch waits for this many bytes or fetchMaxWaitMs, so records arrive in batches rather than one by one. */
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
}

export function consumerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): ConsumerTuning {
  return {
    sessionTimeoutMs: Number(env.SPINE_SESSION_TIMEOUT_MS ?? 30_000),
    heartbeatIntervalMs: Number(env.SPINE_HEARTBEAT_INTERVAL_MS ?? 3_000),
    partitionsConsumedConcurrently: Number(env.SPINE_PARTITIONS_CONCURRENCY ?? 4),
    maxBacklogPerPartition: Number(env.SPINE_MAX_BACKLOG_PER_PARTITION ?? 256),
    fetchMinBytes: Number(env.SPINE_FETCH_MIN_BYTES ?? 64 * 1024),
    fetchMaxWaitMs: Number(env.SPINE_FETCH_MAX_WAIT_MS ?? 50),
  };
}
