/**
 * What each frozen frame holds while the clinician moves through the cine, so that coming back to a frame shows
 * what was left on it, never a fresh AI proposal over it:
 * - the proposal under review as the clinician left it (edited or not) with the exam type's own controls (the
 *   breast categories), per exam type and frame: scrubbing or swiping away and back restores an unsaved edit;
 * - the clinician's calipers per frame, with how many of them were saved: they are listed again and their
 *   numbering goes on (D2 after a saved D1), as the daemon numbers them;
 * - per frame, what its last Confirm carried (the proposal and controls as they were, and how many calipers):
 *   a saved frame shows the values stored, "saved" while they are those on screen, "edited" once they differ.
 * Frames are named by sequence AND capture time (numbers restart with the source, saved-frames.ts); entries of
 * frames no longer in the cine are dropped at each freeze.
 */
import type { ExamType } from '../../../src/protocol/index.js';
import { examTypes } from '../exam-types/index';
import type { Review } from '../exam-types/types';
import type { LiveContext } from './context';
import type { ManualMeasure } from './manual-calipers';

/** A kept frame's name: its sequence number and capture time. */
export const frameKey = (f: { seq: number; timestampMs: number }): string => `${f.seq}@${f.timestampMs}`;

/** A proposal's name: the exam type and the frame (another type's proposal on the same frame is another one). */
export const reviewKey = (type: string, f: { seq: number; timestampMs: number }): string => `${type}:${frameKey(f)}`;

export interface KeptCalipers {
  done: ManualMeasure[];
  savedCount: number;
}

/** What a Confirm of the frame carried, taken as it was tapped. */
export interface Confirmed {
  examId: string;
  /** `contentOf` the proposal and controls */
  content: string;
  /** how many calipers went with it */
  calipers: number;
}

export interface Shown {
  /** reviewKey of the frame shown */
  review: string;
  /** frameKey of the frame shown */
  frame: string;
  /** the frame's sequence number (the calipers' `seq`) */
  seq: number;
  /** the exam type it is shown as (its review controls) */
  type: ExamType;
}

export class KeptFrames {
  readonly reviews = new Map<string, { review: Review; controls: string[] }>();
  readonly calipers = new Map<string, KeptCalipers>();
  readonly confirmed = new Map<string, Confirmed>();
  /** the frame on screen now (undefined while live) */
  shown: Shown | undefined;

  /** Drops what is kept of frames not in `frames` (their frameKeys): they can no longer be shown. */
  prune(frames: ReadonlySet<string>): void {
    const frameOf = (key: string): string => key.slice(key.indexOf(':') + 1);
    for (const k of this.reviews.keys()) if (!frames.has(frameOf(k))) this.reviews.delete(k);
    for (const k of this.confirmed.keys()) if (!frames.has(frameOf(k))) this.confirmed.delete(k);
    for (const k of this.calipers.keys()) if (!frames.has(k)) this.calipers.delete(k);
  }
}

const kept = new WeakMap<LiveContext, KeptFrames>();

/** The page's kept frames (one per live context). */
export function keptOf(c: LiveContext): KeptFrames {
  let k = kept.get(c);
  if (!k) kept.set(c, (k = new KeptFrames()));
  return k;
}

/** The values of the exam type's review controls (the breast categories), in order; the shown type's by default. */
export function controlValues(c: LiveContext, type: ExamType = c.state.examType): string[] {
  return (examTypes[type].reviewControls?.(c.els) ?? []).map((el) => el.value);
}

/** What a proposal says, with the controls' values: equal strings, equal decisions. */
export function contentOf(review: Review | undefined, controls: readonly string[]): string {
  return JSON.stringify([review?.snapshot() ?? null, controls]);
}

/**
 * Keeps what is on the frame being left (its proposal, controls and calipers) and forgets which frame is shown.
 * True when it had something not saved (the line said edited, or calipers made since the last save).
 */
export function leaveFrame(c: LiveContext, review: Review | undefined): boolean {
  const k = keptOf(c);
  const shown = k.shown;
  if (!shown) return false;
  k.shown = undefined;
  if (review) k.reviews.set(shown.review, { review, controls: controlValues(c, shown.type) });
  const cal = c.calipers;
  const mine = cal.seq === shown.seq;
  if (mine) k.calipers.set(shown.frame, { done: [...cal.done], savedCount: cal.savedCount });
  return c.els.state.dataset.i18n === 'edited' || (mine && review !== undefined && cal.done.length > cal.savedCount);
}

/** Puts the kept calipers of frame `f` back (none kept: none), their saved count as far as known. */
export function loadCalipers(c: LiveContext, f: { seq: number; timestampMs: number }, saved: Confirmed | undefined): void {
  const held = keptOf(c).calipers.get(frameKey(f));
  const done = held?.done ?? [];
  // a save that ended while the frame was not shown did not count its calipers here: what its Confirm carried did
  const savedCount = Math.max(held?.savedCount ?? 0, Math.min(saved?.calipers ?? 0, done.length));
  c.calipers.load(f.seq, done, savedCount);
}
