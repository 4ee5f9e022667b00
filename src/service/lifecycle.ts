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
  /** What kind of state: logged when it changes (the reason's ages change every look). */
  kind: 'starting' | 'live' | 'idle' | 'no-frames' | 'no-results' | 'loop-blocked';
  reason: string;
}

export type LifecycleState = 'starting' | 'ready' | 'stopping';

export class ServiceLifecycle {
  readonly watchdogMs: number | undefined;
  readonly staleMs: number;
  #state: LifecycleState = 'starting';
  #pings = 0;
  #pingInFlight = false;
  #lastVerdict: Verdict = { ok: true, kind: 'starting', reason: '' };
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
    if (this.#state === 'starting') return { ok: true, kind: 'starting', reason: 'starting' };
    const framesDue = hb.framesExpected?.() ?? true;
    const resultsDue = hb.resultsExpected?.() ?? framesDue;
    const lastFrame = hb.lastFrameAt();
    if (framesDue && now - lastFrame > this.staleMs) return { ok: false, kind: 'no-frames', reason: `No frame from the source for ${age(lastFrame)}: the source or pipeline is stuck` };
    const lastResult = hb.lastResultAt();
    if (resultsDue && now - lastResult > this.staleMs) return { ok: false, kind: 'no-results', reason: `Frames arrive but no model result for ${age(lastResult)}: the pipeline is wedged` };
    return framesDue ? { ok: true, kind: 'live', reason: 'Live: frames and results flowing' } : { ok: true, kind: 'idle', reason: 'Serving; no live frames due' };
  }

  #schedulePing(): void {
    // Half the period, as sd_watchdog_enabled(3) advises: one late tick still lands inside the period.
    const period = this.watchdogMs! / 2;
    const due = this.#now() + period;
    this.#pingTimer = setTimeout(() => {
      this.#tick(this.#now() - due);
      if (this.#state !== 'stopping') this.#schedulePing();
    }, period);
  }

  /** `lateMs`: how late this tick fired; later than staleMs means the event loop was blocked that long. */
  #tick(lateMs: number): void {
    const v: Verdict = lateMs > this.staleMs ? { ok: false, kind: 'loop-blocked', reason: `The event loop was blocked for ${(lateMs / 1000).toFixed(1)} s` } : this.judge();
    const previous = this.#lastVerdict;
    this.#lastVerdict = v;
    const { notifier, log } = this.options;
    // STATUS follows every change, ages included (systemctl status shows for how long); the journal only kinds
    if (v.reason !== previous.reason && (this.#state === 'ready' || !v.ok)) void notifier.status(v.reason);
    if (v.kind !== previous.kind) {
      if (!v.ok) log?.warn({ reason: v.reason }, 'watchdog pings withheld: systemd will restart the daemon if this lasts');
      else if (!previous.ok) log?.info({ reason: v.reason }, 'pipeline healthy again: watchdog pings resume');
    }
    if (!v.ok) return;
    // A ping still waiting means the manager is slow; piling up senders would not help.
    if (this.#pingInFlight) return;
    this.#pings++;
    this.#pingInFlight = true;
    void notifier.watchdog().finally(() => (this.#pingInFlight = false));
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
