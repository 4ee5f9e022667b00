import type { Frame } from '../capture/frame.js';
import type { ModelRunner } from './model-runner.js';

export interface ScheduledModel {
  runner: ModelRunner;
  /** run on every Nth frame (by sequence distance from the last frame this model ran on) */
  everyN: number;
  /** false: loaded but not run until setEnabled (a display option nobody is looking at); default true */
  enabled?: boolean;
}

/**
 * Which models run on a frame: each at its own cadence, minus those switched off (the model gate, the
 * enhanced view). A model's runner can be replaced while frames flow (a model update); its cadence and
 * on/off state stay with its id.
 */
export class ModelSchedule {
  readonly #models: ScheduledModel[] = [];
  readonly #disabled = new Set<string>();
  readonly #lastSeq = new Map<string, number>();

  constructor(models: ScheduledModel[] = []) {
    for (const m of models) this.add(m);
  }

  add(model: ScheduledModel): void {
    if (this.#models.some((m) => m.runner.id === model.runner.id)) throw new Error(`Model "${model.runner.id}" is scheduled twice; give each model its own id`);
    this.#models.push({ runner: model.runner, everyN: model.everyN });
    if (model.enabled === false) this.#disabled.add(model.runner.id);
  }

  runners(): ModelRunner[] {
    return this.#models.map((m) => m.runner);
  }

  /** Puts `runner` in the place of the model with its id; returns the runner it replaced. */
  replace(runner: ModelRunner): ModelRunner {
    const m = this.#models.find((x) => x.runner.id === runner.id);
    if (!m) throw new Error(`No model "${runner.id}" is scheduled; scheduled: ${this.#models.map((x) => x.runner.id).join(', ') || 'none'}`);
    const old = m.runner;
    m.runner = runner;
    return old;
  }

  setEnabled(id: string, enabled: boolean): void {
    if (enabled) this.#disabled.delete(id);
    else this.#disabled.add(id);
  }

  /** Fills `out` (reused by the caller: no allocation per frame) with the models due on `frame`. */
  due(frame: Frame, out: ScheduledModel[]): void {
    out.length = 0;
    for (const m of this.#models) {
      if (this.#disabled.has(m.runner.id)) continue;
      const last = this.#lastSeq.get(m.runner.id);
      if (last === undefined || frame.seq < last || frame.seq - last >= m.everyN) out.push(m);
    }
  }

  /** Models scheduled and switched on. */
  enabledCount(): number {
    return this.#models.filter((m) => !this.#disabled.has(m.runner.id)).length;
  }

  ran(id: string, seq: number): void {
    this.#lastSeq.set(id, seq);
  }

  /** A new source numbers its frames afresh. */
  resetCadence(): void {
    this.#lastSeq.clear();
  }
}
