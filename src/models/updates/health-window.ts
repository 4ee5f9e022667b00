import type { HealthWindowConfig } from './config.js';

/** One result of the watched model as the pipeline saw it. */
export interface WatchedResult {
  /** The run or its analysis threw. */
  error: boolean;
  /** The run's own time (ms). */
  latencyMs: number;
  /** Outputs finite and within their declared range (see `outputsSane`). */
  sane: boolean;
}

export type HealthState =
  | { state: 'watching'; id: string; version: string; seen: number; of: number; errors: number; slow: number; insane: number }
  | { state: 'passed' | 'failed'; id: string; version: string; seen: number; of: number; errors: number; slow: number; insane: number; reason: string };

/** How far a window got (kept on disk, see health-mark.ts, so a restarted daemon resumes it). */
export interface HealthCounts {
  seen: number;
  errors: number;
  slow: number;
  insane: number;
}

/**
 * The health window after an activation: it watches the new version's first `results` results and fails
 * as soon as errors, slow runs or insane outputs pass their allowed share of the window (so a model that
 * fails every frame is rolled back after a few frames, not after the whole window), else passes at its end.
 * Fed by the pipeline's results; `onVerdict` is called once (the composition root rolls back on 'failed').
 * Counting results, not time, means a device left idle never passes a model it has not run.
 */
export class HealthWindow {
  #errors = 0;
  #slow = 0;
  #insane = 0;
  #seen = 0;
  #verdict: { state: 'passed' | 'failed'; reason: string } | undefined;

  constructor(
    readonly id: string,
    readonly version: string,
    readonly config: HealthWindowConfig,
    readonly onVerdict: (state: HealthState) => void,
    /** Counts a window resumed after a restart starts from (its next result is judged with them). */
    from?: HealthCounts,
  ) {
    if (from) ({ seen: this.#seen, errors: this.#errors, slow: this.#slow, insane: this.#insane } = from);
  }

  record(r: WatchedResult): void {
    if (this.#verdict) return;
    this.#seen++;
    if (r.error) this.#errors++;
    else {
      if (!(r.latencyMs <= this.config.maxLatencyMs)) this.#slow++;
      if (!r.sane) this.#insane++;
    }
    const n = this.config.results;
    const over = (count: number, fraction: number): boolean => count > Math.floor(fraction * n);
    let reason: string | undefined;
    if (over(this.#errors, this.config.maxErrorFraction)) reason = `${this.#errors} of its first ${this.#seen} results failed (allowed ${Math.floor(this.config.maxErrorFraction * n)} in ${n})`;
    else if (over(this.#slow, this.config.maxSlowFraction)) reason = `${this.#slow} of its first ${this.#seen} runs took over ${this.config.maxLatencyMs} ms (allowed ${Math.floor(this.config.maxSlowFraction * n)} in ${n})`;
    else if (over(this.#insane, this.config.maxInsaneFraction)) reason = `${this.#insane} of its first ${this.#seen} results had non-finite or out-of-range outputs (allowed ${Math.floor(this.config.maxInsaneFraction * n)} in ${n})`;
    if (reason) this.#verdict = { state: 'failed', reason };
    else if (this.#seen >= n) this.#verdict = { state: 'passed', reason: `${n} results within limits` };
    if (this.#verdict) this.onVerdict(this.state);
  }

  get state(): HealthState {
    const counts = { id: this.id, version: this.version, seen: this.#seen, of: this.config.results, errors: this.#errors, slow: this.#slow, insane: this.#insane };
    return this.#verdict ? { ...counts, ...this.#verdict } : { state: 'watching', ...counts };
  }
}

/**
 * Output sanity: every value finite, and a probability output (one whose meaning says "probability") in
 * [0, 1] give or take rounding.
 */
export function outputsSane(outputs: Record<string, { data: Float32Array }>, declared: ReadonlyArray<{ name: string; meaning: string }>): boolean {
  for (const o of declared) {
    const data = outputs[o.name]?.data;
    if (!data) return false;
    const probability = /probabilit/i.test(o.meaning);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isFinite(v)) return false;
      if (probability && (v < -1e-3 || v > 1 + 1e-3)) return false;
    }
  }
  return true;
}
