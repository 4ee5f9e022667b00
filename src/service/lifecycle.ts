/**
 * The daemon's side of the systemd contract: READY=1 after the first successful inference, WATCHDOG=1 every
 * half period while the pipeline's heartbeat is fresh, STATUS= lines saying what is wrong, STOPPING=1 on
 * shutdown.
 *
 * Why pings depend on the heartbeat: a process that is alive but wedged (a driver stuck in a loop, a model
 * worker that never answers, an event loop blocked by a bad request) must be restarted. The ping is sent from
 * a timer on the event loop, so a blocked loop stops it too; a loop that runs but whose frames or results stopped
 * also stops it. Frames are judged only while some are due (a frozen probe or a failed source is not a fault).
 */
import { type SystemdNotifier, watchdogIntervalMs } from './notify.js';
import type { WatchdogHeartbeat } from './heartbeat.js';

export interface LifecycleLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LifecycleOptions {
  notifier: SystemdNotifier;
  heartbeat: WatchdogHeartbeat;
  env?: NodeJS.ProcessEnv;
  /** A frame or result older than this means the pipeline is stuck; default: the whole watchdog period (10 s without one). */
  staleMs?: number;
  /** How often readiness is checked before the first result; default 200 ms. */
  readyPollMs?: number;
  log?: LifecycleLog;
  now?: () => number;
}

export interface Verdict {
  ok: boolean;
  reason: string;
}

export type LifecycleState = 'starting' | 'ready' | 'stopping';

export class ServiceLifecycle {
  readonly watchdogMs: number | undefined;
  readonly staleMs: number;
  #state: LifecycleState = 'starting';
  #pings = 0;
  #lastVerdict: Verdict = { ok: true, reason: '' };
  #readyTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(private readonly options: LifecycleOptions) {
    this.watchdogMs = watchdogIntervalMs(options.env ?? process.env);
    this.staleMs = options.staleMs ?? this.watchdogMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  /** For health and metrics: pings sent and the last judgement of the pipeline. */
  snapshot(): { state: LifecycleState; notify: boolean; watchdogMs: number | undefined; pings: number; healthy: boolean; reason: string } {
    return { state: this.#state, notify: this.options.notifier.enabled, watchdogMs: this.watchdogMs, pings: this.#pings, healthy: this.#lastVerdict.ok, reason: this.#lastVerdict.reason };
  }

  /**
   * Call once start-up is done (HTTP listening, source started or failed). READY=1 follows the first model
   * result; if no frames are due (no working source) the daemon is ready at once, serving records and UI.
   */
  startupComplete(summary: string): void {
    const check = (): void => {
      if (this.#state !== 'starting') return;
      const hb = this.options.heartbeat;
      if (hb.lastResultAt() > 0) this.#becomeReady(`Ready: ${summary}`);
      else if (hb.framesExpected?.() === false || hb.resultsExpected?.() === false) this.#becomeReady(`Ready without live inference: ${summary}`);
      else this.#readyTimer = setTimeout(check, this.options.readyPollMs ?? 200);
    };
    check();
    if (this.watchdogMs !== undefined && !this.#pingTimer) this.#schedulePing();
  }

  /** Judges the pipeline now: fresh frames (when due) and fresh results (when due). */
  judge(): Verdict {
    const hb = this.options.heartbeat;
    const now = this.#now();
    const age = (t: number): string => (t > 0 ? `${((now - t) / 1000).toFixed(1)} s` : 'ever');
    if (this.#state === 'starting') return { ok: true, reason: 'starting' };
    const framesDue = hb.framesExpected?.() ?? true;
    const resultsDue = hb.resultsExpected?.() ?? framesDue;
    const lastFrame = hb.lastFrameAt();
    if (framesDue && now - lastFrame > this.staleMs) return { ok: false, reason: `No frame from the source for ${age(lastFrame)}: the source or pipeline is stuck` };
    const lastResult = hb.lastResultAt();
    if (resultsDue && now - lastResult > this.staleMs) return { ok: false, reason: `Frames arrive but no model result for ${age(lastResult)}: the pipeline is wedged` };
    return { ok: true, reason: framesDue ? 'Live: frames and results flowing' : 'Serving; no live frames due' };
  }

  #schedulePing(): void {
    // Half the period, as sd_watchdog_enabled(3) advises: one late tick still lands inside the period.
    const period = this.watchdogMs! / 2;
    this.#pingTimer = setTimeout(() => {
      this.#tick();
      if (this.#state !== 'stopping') this.#schedulePing();
    }, period);
  }

  #tick(): void {
    const v = this.judge();
    const changed = v.ok !== this.#lastVerdict.ok || v.reason !== this.#lastVerdict.reason;
    this.#lastVerdict = v;
    const { notifier, log } = this.options;
    if (!v.ok) {
      if (changed) {
        log?.warn({ reason: v.reason }, 'watchdog pings withheld: systemd will restart the daemon if this lasts');
        void notifier.status(v.reason);
      }
      return;
    }
    if (changed && this.#state === 'ready') {
      if (this.#pings > 0) log?.info({ reason: v.reason }, 'pipeline healthy again: watchdog pings resume');
      void notifier.status(v.reason);
    }
    // A send still waiting means the manager is slow; piling up senders would not help.
    if (notifier.busy) return;
    this.#pings++;
    void notifier.watchdog();
  }

  #becomeReady(status: string): void {
    this.#state = 'ready';
    this.options.log?.info({ status }, 'telling systemd the daemon is ready');
    void this.options.notifier.ready(status);
  }

  /** Call first on SIGTERM: no more pings, STOPPING=1 so systemd shows the daemon going down. */
  async stopping(reason: string): Promise<void> {
    this.#state = 'stopping';
    clearTimeout(this.#readyTimer);
    clearTimeout(this.#pingTimer);
    await this.options.notifier.stopping(`Stopping: ${reason}`);
  }
}
