/**
 * Proposals under review that the clinician edited (their state line said "edited") and has not confirmed since:
 * context.ts notes them, unsaved-work.ts asks. A leaf module, so that the live context need not import the
 * unsaved-work logic (which imports the review modules that import the context).
 */
import type { Review } from '../exam-types/types';

const edited = new WeakSet<Review>();

/** The proposal under review was edited (its state line said so). */
export function noteEdited(review: Review): void {
  edited.add(review);
}

/** Whether `review` was edited since it was proposed. */
export function wasEdited(review: Review): boolean {
  return edited.has(review);
}
