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
    const m = this.#find(runner.id);
    if (!m) throw new Error(`No model "${runner.id}" is scheduled; scheduled: ${this.#models.map((x) => x.runner.id).join(', ') || 'none'}`);
    const old = m.runner;
    m.runner = runner;
    return old;
  }

  setEnabled(id: string, enabled: boolean): void {
    if (enabled) this.#disabled.delete(id);
    else this.#disabled.add(id);
  }

  /** The runner in force for model `id` now (a replacement takes over from the next frame its lane prepares). */
  runnerOf(id: string): ModelRunner | undefined {
    return this.#find(id)?.runner;
  }

  /** True when model `id` is switched on and due on `frame` (no allocation: asked once per frame per model). */
  wants(id: string, frame: Frame): boolean {
    if (this.#disabled.has(id)) return false;
    const m = this.#find(id);
    if (!m) return false;
    const last = this.#lastSeq.get(id);
    return last === undefined || frame.seq < last || frame.seq - last >= m.everyN;
  }

  /** Models scheduled and switched on. */
  enabledCount(): number {
    return this.#models.filter((m) => !this.#disabled.has(m.runner.id)).length;
  }

  ran(id: string, seq: number): void {
    this.#lastSeq.set(id, seq);
  }

  #find(id: string): ScheduledModel | undefined {
    for (const m of this.#models) if (m.runner.id === id) return m;
    return undefined;
  }

  /** A new source numbers its frames afresh. */
  resetCadence(): void {
    this.#lastSeq.clear();
  }
}
