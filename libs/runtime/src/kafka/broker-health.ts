import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from '../middleware/index.js';
import { probeBroker } from './broker-probe.js';

export interface BrokerHealthOptions {
  /** Pause between probes (SPINE_BROKER_PROBE_INTERVAL_MS, default 1000). */
  readonly intervalMs: number;
  /** A probe taking longer counts as a failure: a frozen broker accepts connections but never answers (SPINE_BROKER_PROBE_TIMEOUT_MS, default 1500). */
  readonly timeoutMs: number;
  /** KAFKA_BROKERS: healthy when one of them answers. */
  readonly brokers: string;
  readonly ssl: boolean;
}

export interface BrokerStatus {
  readonly healthy: boolean;
  /** Since when the current state holds (ISO time). */
  readonly since: string;
  readonly lastError: string | null;
}

/**
 * Whether Kafka answers, known without waiting for a publish to time out: a cheap periodic probe (an ApiVersions
 * round trip on a socket of its own, bounded by a deadline; see broker-probe.ts), run every interval and at once
 * when a publish misses its deadline. Readiness and ingestion's fast 503s read it. Recovery needs no restart:
 * probing never stops.
 */
export class BrokerHealth {
  private ok = false;
  private since = Date.now();
  private lastError: string | null = 'not connected yet';
  private running = false;
  private stopped = false;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly log: Log,
    readonly options: BrokerHealthOptions,
  ) {}

  static fromEnv(log: Log, env: NodeJS.ProcessEnv = process.env): BrokerHealth {
    const number = (name: string, fallback: number) => {
      const value = Number(env[name] ?? fallback);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of milliseconds, got "${env[name]}"`);
      return value;
    };
    const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean).join(',');
    return new BrokerHealth(log, {
      intervalMs: number('SPINE_BROKER_PROBE_INTERVAL_MS', 1_000),
      timeoutMs: number('SPINE_BROKER_PROBE_TIMEOUT_MS', 1_500),
      brokers,
      ssl: env.KAFKA_SSL === 'true',
    });
  }

  get healthy(): boolean {
    return this.ok;
  }

  get status(): BrokerStatus {
    return { healthy: this.ok, since: new Date(this.since).toISOString(), lastError: this.lastError };
  }

  /**
   * A publish missed its deadline: probe now instead of at the next tick. Only a failed probe makes the broker
   * unhealthy, so one slow publish under load does not turn every request away.
   */
  reportFailure(reason: string): void {
    if (!this.ok || this.stopped) return;
    this.probing ??= this.probe()
      .then((error) => {
        if (error !== undefined) this.set(false, `${reason}; probe: ${error}`);
      })
      .finally(() => (this.probing = undefined));
  }

  /**
   * Waits until Kafka answers, logging every failed attempt (so a service started before Kafka says what it
   * waits for), then runs `connect` (retrying it the same way) and starts probing. Never gives up; stop() ends it
   * (the promise then rejects, so nothing goes on to use Kafka during a shutdown).
   */
  async connect(connect: () => Promise<void>): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const error = (await this.probe()) ?? (await connect().then(() => undefined, (e: unknown) => errorText(e)));
      if (!error) {
        this.set(true, null);
        this.start();
        return;
      }
      const delayMs = Math.min(500 * 2 ** Math.min(attempt - 1, 4), 5_000);
      this.log('warn', 'waiting for Kafka', { brokers: this.options.brokers, attempt, error, retryInMs: delayMs });
      await sleep(delayMs);
    }
    throw new Error('stopped before Kafka was reachable');
  }

  /** Starts the periodic probe (idempotent). */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const error = await this.probe();
      this.set(error === undefined, error ?? null);
      await sleep(this.options.intervalMs, undefined, { ref: false });
    }
  }

  /** One round trip to each seed broker within the deadline; undefined when one answered, else the first error. */
  private async probe(): Promise<string | undefined> {
    const brokers = this.options.brokers.split(',').filter(Boolean);
    if (!brokers.length) return 'KAFKA_BROKERS is empty';
    try {
      await Promise.any(brokers.map((broker) => probeBroker(broker, { ssl: this.options.ssl, timeoutMs: this.options.timeoutMs })));
      return undefined;
    } catch (error) {
      return errorText(error instanceof AggregateError ? error.errors[0] : error);
    }
  }

  private set(ok: boolean, error: string | null): void {
    if (ok === this.ok) {
      if (!ok) this.lastError = error;
      return;
    }
    const downMs = Date.now() - this.since;
    this.ok = ok;
    this.since = Date.now();
    this.lastError = error;
    if (ok) this.log('info', 'Kafka reachable', { brokers: this.options.brokers, afterMs: downMs });
    else this.log('warn', 'Kafka unreachable: publishes fail fast with 503 and readiness is false until it answers', { brokers: this.options.brokers, error });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
