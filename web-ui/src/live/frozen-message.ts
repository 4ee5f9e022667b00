import type { liveEn } from './strings.js';

/** What the frozen frame offers, as showFrozen sees it. */
export interface FrozenFrame {
  /** The frame is already saved to the open exam. */
  saved: boolean;
  /** The frame has a result of the shown exam type's task. */
  hasResult: boolean;
  /** That result has something to review (a head found, a lesion outlined). */
  reviewable: boolean;
  /** Some kept frame has a reviewable result of that task (what Best frame can offer). */
  cineHasReviewable: boolean;
  /** Some kept frame has a result of that task at all, reviewable or not (the model ran on the frames kept). */
  cineHasResult: boolean;
}

/**
 * The line under a frozen frame, or undefined for none: a clinician who froze on a frame with nothing to
 * review is told why and where to go (Best frame when another kept frame has something, else scan again),
 * rather than being left with a disabled Confirm and no word. A cine with nothing to review says whether the
 * model gave no result on its frames or ran and found nothing to measure (no head found in any of them).
 */
export function frozenMessage(f: FrozenFrame): keyof typeof liveEn | undefined {
  if (f.saved) return 'alreadySaved';
  if (f.reviewable) return undefined;
  if (!f.cineHasReviewable) return f.hasResult || f.cineHasResult ? 'nothingToReviewInCine' : 'noResultInCine';
  return f.hasResult ? 'nothingToReviewOnFrame' : 'noResultOnFrame';
}
