import { type Frame, type ImagingRegion, frameProblem } from '../capture/frame.js';
import type { RegionOverride } from '../capture/region.js';
import type { SpacingOverride, SpacingSeen } from '../capture/spacing.js';
import type { PipelineLog } from './source-holder.js';

export type { SpacingOverride, SpacingSeen } from '../capture/spacing.js';

/**
 * The checks at the pipeline's entrance, in order: a malformed frame is refused (counted, logged once per
 * kind of problem), a frozen probe holds the view, a technician's imaging region replaces the source's on
 * frames of the size it was set on (a grabber's frames without one are marked `unset`), and a clinician's
 * calibration replaces the spacing on frames of the size it was made on that declare none of their own (or
 * on all of them, when it was made with `override`). Cheap and synchronous: it runs for every frame.
 */
export class FrameAdmission {
  rejected = 0;
  lastRejected: string | undefined;
  frozen = false;
  spacing: SpacingOverride | undefined;
  /** The imaging region a technician set for the current source (src/capture/region-store.ts). */
  region: RegionOverride | undefined;
  /** The current source sees a whole screen (src/capture/region.ts GRABBER_DRIVERS): without a region its frames are marked `unset`. */
  grabber = false;
  #unset: ImagingRegion | undefined;
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
    const g = this.region;
    const own = frame.pixelSpacing;
    let from: SpacingSeen['from'] = own ? 'source' : 'none';
    let held: SpacingSeen['held'];
    if (g && g.frame.width === frame.width && g.frame.height === frame.height) {
      frame.region = g.region; // one shared object per region: nothing allocated per frame
      if (g.pixelSpacing) {
        frame.pixelSpacing = g.pixelSpacing;
        from = 'depth-scale';
      }
    } else if (this.grabber && frame.region.origin === undefined && frame.region.width === frame.width && frame.region.height === frame.height) {
      if (this.#unset?.width !== frame.width || this.#unset.height !== frame.height) this.#unset = { x: 0, y: 0, width: frame.width, height: frame.height, origin: 'unset' };
      frame.region = this.#unset;
    }
    // a clinician's calibration wins over the depth-scale taps; over the source's own spacing only when asked to
    if (o?.pixelSpacing) {
      if (!o.frame || o.frame.width !== frame.width || o.frame.height !== frame.height) held = 'frame-size';
      else if (own !== undefined && o.override !== true) held = 'source-declares';
      else {
        frame.pixelSpacing = o.pixelSpacing;
        from = 'calibration';
      }
    }
    const seen = o?.seen;
    if (seen) {
      seen.width = frame.width;
      seen.height = frame.height;
      seen.own = own;
      seen.used = frame.pixelSpacing;
      seen.from = from;
      seen.held = held;
    }
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
