/**
 * What the clinician did on frozen frames that is not stored: a proposal edited (dragged outline, changed breast
 * category) and not confirmed since, or calipers made after the frame's last Confirm. Close exam names these
 * frames before closing (patient-form/close-exam.ts) and offers to go back to one; a change of signed-in user
 * drops them (`dropUnsaved`), since a Confirm by the next user would record the previous user's edit as theirs.
 * A proposal counts as edited once the page set its state line to "edited" while it was under review (`noteEdited`,
 * from context.ts, edited-reviews.ts): an AI proposal left as the AI made it is nothing to lose.
 */
import { reviewOf } from '../state';
import type { LiveContext } from './context';
import { contentOf, frameKey, keptOf, leaveFrame } from './kept-frames';
import { savedFrameKey } from './saved-frames';
import { setFrozen, showFrozen } from './review';
import { wasEdited } from './edited-reviews';

/** A frame still in the cine with something on it not stored. */
export interface UnsavedFrame {
  /** its frameKey */
  frame: string;
  /** its sequence number, as the frame's caption names it */
  seq: number;
  /** its proposal was edited after its last Confirm (or never confirmed) */
  edit: boolean;
  /** how many of its calipers are saved; `calipers` more are not */
  savedCalipers: number;
  calipers: number;
}

/** The frames with unsaved work, the one on screen first, then in cine order. */
export function unsavedFrames(c: LiveContext): UnsavedFrame[] {
  const { state } = c;
  const kept = keptOf(c);
  const examId = state.exam?.id;
  const inCine = new Map<string, { seq: number; buf: ArrayBuffer }>();
  for (let i = 0; i < state.cine.length; i++) {
    const f = state.cine.at(i);
    if (f) inCine.set(frameKey(f), f);
  }
  const out = new Map<string, UnsavedFrame>();
  const add = (frame: string, seq: number, edit: boolean, savedCalipers: number, calipers: number): void => {
    if (edit || calipers > 0) out.set(frame, { frame, seq, edit, savedCalipers, calipers });
  };
  const shown = state.cine.frozen ? kept.shown : undefined;
  const review = reviewOf(state.mode);
  if (shown && review) {
    const mine = c.calipers.seq === shown.seq;
    add(shown.frame, shown.seq, c.els.state.dataset.i18n === 'edited', mine ? c.calipers.savedCount : 0, mine ? c.calipers.done.length - c.calipers.savedCount : 0);
  }
  // the frames left: what kept-frames.ts holds of them, against what their last Confirm carried
  const withReview = new Set<string>();
  for (const [key, held] of kept.reviews) {
    const frame = key.slice(key.indexOf(':') + 1);
    const f = inCine.get(frame);
    if (!f || frame === shown?.frame) continue;
    withReview.add(frame);
    if (!wasEdited(held.review)) continue;
    const stored = kept.confirmed.get(key);
    const saved = examId !== undefined && state.savedFrames.has(savedFrameKey(examId, f.buf)) && stored?.examId === examId;
    if (!(saved && stored.content === contentOf(held.review, held.controls))) add(frame, f.seq, true, 0, 0);
  }
  for (const [frame, cal] of kept.calipers) {
    const f = inCine.get(frame);
    if (!f || frame === shown?.frame || !withReview.has(frame)) continue; // calipers are saved with a proposal only
    const stored = [...kept.confirmed.entries()].find(([k, v]) => k.endsWith(`:${frame}`) && v.examId === examId)?.[1];
    const saved = examId !== undefined && state.savedFrames.has(savedFrameKey(examId, f.buf)) ? Math.min(stored?.calipers ?? 0, cal.done.length) : 0;
    const savedCount = Math.max(cal.savedCount, saved);
    const before = out.get(frame);
    add(frame, f.seq, before?.edit ?? false, savedCount, cal.done.length - savedCount);
  }
  return [...out.values()];
}

/** Shows frame `frame` (a frameKey) frozen, with what was left on it; false when the cine no longer holds it. */
export function goBackTo(c: LiveContext, frame: string): boolean {
  const { state } = c;
  const at = (): number => {
    for (let i = 0; i < state.cine.length; i++) if (frameKey(state.cine.at(i)!) === frame) return i;
    return -1;
  };
  if (at() < 0) return false;
  if (!state.cine.frozen) setFrozen(c, true);
  const i = at(); // freezing may prune nothing of it: it is still kept
  if (i < 0) return false;
  state.cine.index = i;
  showFrozen(c);
  return true;
}

/**
 * Drops every unsaved edit and caliper (another user signed in on this page): kept frames lose them, the frame on
 * screen shows the AI's proposal again (or what its Confirm stored, as Reset does). The frames dropped, if any.
 */
export function dropUnsaved(c: LiveContext): UnsavedFrame[] {
  const list = unsavedFrames(c);
  if (list.length === 0) return list;
  const { state } = c;
  const kept = keptOf(c);
  const shown = state.cine.frozen ? kept.shown : undefined;
  let here: UnsavedFrame | undefined;
  for (const u of list) {
    if (u.frame === shown?.frame) {
      here = u;
      continue;
    }
    if (u.edit) for (const [key, held] of kept.reviews) if (key.endsWith(`:${u.frame}`) && wasEdited(held.review)) kept.reviews.delete(key);
    const cal = kept.calipers.get(u.frame);
    if (cal) cal.done.splice(u.savedCalipers);
  }
  if (here && shown) {
    if (c.calipers.seq === here.seq) c.calipers.done.splice(c.calipers.savedCount);
    leaveFrame(c, reviewOf(state.mode)); // kept as it is now (calipers trimmed), then shown again from what is kept
    showFrozen(c, undefined, { fresh: here.edit }); // fresh: the AI's proposal again, as Reset gives it
  }
  return list;
}

/** Forgets everything kept of the frames (the exam ended: none of it may be saved to the next one). */
export function forgetKept(c: LiveContext): void {
  const kept = keptOf(c);
  kept.shown = undefined; // leaving the frame keeps nothing and says nothing
  kept.reviews.clear();
  kept.calipers.clear();
  kept.confirmed.clear();
}
