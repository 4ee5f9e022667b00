import { type Frame, frameProblem } from '../capture/frame.js';
import type { PipelineLog } from './source-holder.js';

/** A calibration in force: the spacing, and the frame size it was made on (other sizes keep their own). */
export interface SpacingOverride {
  pixelSpacing: NonNullable<Frame['pixelSpacing']>;
  frame?: { width: number; height: number } | undefined;
}

/**
 * The checks at the pipeline's entrance, in order: a malformed frame is refused (counted, logged once per
 * kind of problem), a frozen probe holds the view, and a clinician's calibration replaces the source's
 * spacing on frames of the size it was made on. Cheap and synchronous: it runs for every frame.
 */
export class FrameAdmission {
  rejected = 0;
  lastRejected: string | undefined;
  frozen = false;
  spacing: SpacingOverride | undefined;
  #lastWidth = 0;
  #lastHeight = 0;
  #lastLogged: string | undefined;

  constructor(
    private readonly sourceName: () => string | undefined,
    private readonly log?: PipelineLog,
  ) {}

  /** Size of the last frame that entered, if any (what a calibration made now is made on). */
  lastFrameSize(): { width: number; height: number } | undefined {
    return this.#lastWidth > 0 ? { width: this.#lastWidth, height: this.#lastHeight } : undefined;
  }

  /** True when `frame` may be shown and analysed; its spacing is then the one in force. */
  admit(frame: Frame): boolean {
    const problem = frameProblem(frame);
    if (problem !== undefined) {
      this.#reject(frame, problem);
      return false;
    }
    this.#lastWidth = frame.width;
    this.#lastHeight = frame.height;
    if (this.frozen) return false;
    // Frames of another size (the grabber's resolution changed) keep the source's own spacing, not a wrong one.
    const o = this.spacing;
    if (o && (!o.frame || (o.frame.width === frame.width && o.frame.height === frame.height))) frame.pixelSpacing = o.pixelSpacing;
    return true;
  }

  #reject(frame: Frame, problem: string): void {
    this.rejected++;
    this.lastRejected = `Frame ${String(frame.seq)} from ${this.sourceName() ?? 'the source'} refused: ${problem}`;
    // One line per kind of problem, not one per frame: a broken stream must not flood the log.
    if (problem !== this.#lastLogged) {
      this.#lastLogged = problem;
      this.log?.warn({ source: this.sourceName(), problem }, this.lastRejected);
    }
  }
}
