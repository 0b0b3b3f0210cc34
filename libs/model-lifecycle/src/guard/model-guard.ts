import type { StageRouting } from '@spine/schemas';
import { ModelControlError } from '../errors.js';
import type { ModelControl } from '../control/model-control.js';
import { candidatesIn } from '../routing/defaults.js';
import type { ModelServing } from '../serving/model-serving.js';
import { scorePsi } from '../serving/psi.js';
import { breachOf } from '../serving/version-health.js';

export interface ModelGuardOptions {
  /** Who the control topic records as the actor (e.g. `fraud-scoring@host:pid`). */
  readonly actor: string;
  /** How often candidates are judged; default 1 s. */
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/**
 * Judges a stage's candidates (A/B arms, canary, shadows) on this instance's traffic against the routing's guard bounds:
 * one that crosses a bound is rolled back on the control topic with the reason; a canary that stayed healthy for its
 * step interval advances to the next step (past the last one it becomes the champion). Several instances may decide the
 * same at once: each change re-checks that it still applies, so the log records it once.
 */
export class ModelGuard {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly serving: ModelServing<unknown, unknown>,
    private readonly control: ModelControl,
    private readonly options: ModelGuardOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.check().finally(() => (this.running = undefined));
    }, this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round of judging (the timer calls it; tests may too). */
  async check(): Promise<void> {
    const stage = this.serving.stage.name;
    const routing = this.serving.routing;
    const guard = routing.guard;
    const champion = this.serving.healthOf(routing.champion).snapshot(guard.windowMs);
    for (const version of candidatesIn(routing)) {
      const health = this.serving.healthOf(version).snapshot(guard.windowMs);
      if (health.agreement !== null) this.serving.metrics.agreement.set({ stage, model: this.serving.model, version }, health.agreement);
      const breach = breachOf(health, guard, scorePsi(champion.scores, health.scores));
      if (breach) {
        await this.act(routing, 'rolled back', () =>
          this.control.change(stage, { action: 'ROLLBACK', version }, { actor: this.options.actor, automatic: true, reason: `${version}: ${breach}` }, (now) => candidatesIn(now).includes(version)),
        ).then((done) => {
          if (!done) return;
          this.serving.metrics.rollbacks.inc({ stage, version, bound: breach.split(' ')[0]! });
          this.serving.healthOf(version).reset();
          this.options.log?.('warn', 'model version rolled back automatically', { stage, version, reason: breach });
        });
        continue;
      }
      const canary = routing.canary;
      if (canary?.version === version && health.calls >= guard.minCalls && this.now() - canary.stepStartedAt.getTime() >= canary.stepIntervalMs) {
        const done = await this.act(routing, 'advanced', () =>
          this.control.change(stage, { action: 'ADVANCE' }, { actor: this.options.actor, automatic: true, reason: `${version} healthy for ${canary.stepIntervalMs} ms at ${canary.percent} % (${health.calls} calls, errors ${(health.errorRate * 100).toFixed(1)} %, p95 ${Math.round(health.latencyP95Ms)} ms)` }, (now) => now.canary?.version === version && now.canary.percent === canary.percent),
        );
        if (done) this.options.log?.('info', 'canary advanced', { stage, version, from: canary.percent });
      }
    }
  }

  /** Runs a change; false when another instance got there first (the change no longer applies). */
  private async act(routing: StageRouting, what: string, change: () => Promise<unknown>): Promise<boolean> {
    try {
      await change();
      return true;
    } catch (error) {
      if (error instanceof ModelControlError) return false;
      this.options.log?.('error', `model guard: a version could not be ${what}`, { stage: this.serving.stage.name, revision: routing.revision, error: (error as Error).message });
      return false;
    }
  }
}
