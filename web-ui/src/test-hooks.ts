/**
 * Hooks for the browser tests (test/web), in test builds only: main.ts installs them under
 * `import.meta.env.MODE === 'test'`, so the production bundle has none of this code (`vite build --mode
 * test` makes web-ui/dist-test, which the browser tests build and load).
 */
import { TASK_OF_EXAM } from '../../src/protocol/index.js';
import type { AppState } from './state';
import { reviewOf } from './state';

interface Hooks {
  /** frame-to-paint latency samples (message received → first animation frame after drawing), for the bench */
  sonoPaintStats(): number[];
  /** the ellipse under review, frame pixels in canvas (pixel-corner) coordinates, as the finger's points */
  sonoProposal(): unknown;
  /** the lesion calipers under review, frame pixels in canvas (pixel-corner) coordinates */
  sonoCalipers(): unknown;
  /** the lesion outline under review, flat frame pixels in canvas (pixel-corner) coordinates */
  sonoOutline(): number[] | undefined;
  /** the page's mode (live, reviewing, dragging, …) */
  sonoMode(): string;
  /**
   * How many kept cine frames carry a result the shown exam type can review (a detected head, a lesion), as
   * live/cine.ts isReviewable says (as Best frame counts them): once there is one, Freeze and Best frame offer a frame with a proposal.
   */
  sonoReviewableFrames(): number;
}

export function installTestHooks(state: AppState, paint: number[]): void {
  const lesion = (): { calipers: unknown; outline: number[] } | undefined => {
    const r = reviewOf(state.mode);
    return r?.kind === 'lesion' ? (r.snapshot() as { calipers: unknown; outline: number[] }) : undefined;
  };
  const hooks: Hooks = {
    sonoPaintStats: () => paint.splice(0),
    sonoProposal: () => {
      const r = reviewOf(state.mode);
      return r?.kind === 'ellipse' ? r.snapshot() : undefined;
    },
    sonoCalipers: () => lesion()?.calipers,
    sonoOutline: () => lesion()?.outline,
    sonoMode: () => state.mode.kind,
    sonoReviewableFrames: () => state.cine.reviewableCount(TASK_OF_EXAM[state.examType]),
  };
  Object.assign(window, hooks);
}
