/**
 * Confirm: saves the reviewed frozen frame (posted back as the binary frame message the page holds) and
 * the clinician's decision on each of its measurements, then shows the updated exam. Saving is idempotent:
 * Confirm is switched off while saving (on that frame, scrubbed away and back too: state.savingFrames) and
 * after (an edit turns it back on), each frame is sent with one client key (`Idempotency-Key`: a double tap
 * or a retry is stored once), and a frame already saved says so.
 * The key and the saved mark name the frame by exam, sequence AND capture time (saved-frames.ts): sequences
 * restart with the source (the daemon refuses, 409, a key it stored for another frame).
 * The clinician's own calipers on the frame travel in the same request (after the frame message, as
 * `{ clinicianMeasurements }` JSON): the capture and its calipers are stored together or not at all.
 */
import { decodeFrameHeader } from '../../../src/protocol/index.js';
import type { DecisionBody, ManualMeasureBody } from '../../../src/protocol/rest/index.js';
import { ApiError, api } from '../api';
import { t } from '../i18n';
import { reviewOf } from '../state';
import { failureText } from './action-message';
import type { LiveContext } from './context';
import { captureKey, isFrameSaving, savedFrameKey } from './saved-frames';

export async function confirmReview(c: LiveContext, showExam: () => void): Promise<void> {
  const { els, state } = c;
  const review = reviewOf(state.mode);
  // a save of this frame in flight: a second tap sends nothing (an edit meanwhile waits for its end, below)
  if (!review || els.confirm.disabled || isFrameSaving(state, review.buf)) return;
  const operator = els.operator.value.trim();
  const exam = state.exam;
  if (!exam) return c.message(t('needExam'), 'error');
  if (!operator) return c.message(t('needOperator'), 'error');
  const seq = decodeFrameHeader(review.buf).seq;
  const key = savedFrameKey(exam.id, review.buf);
  // the frame shown is still this one, in this exam (the clinician may scrub, unfreeze or start an exam meanwhile)
  const stillShown = (): boolean => {
    const f = state.cine.frozen ? state.cine.current() : undefined;
    return f !== undefined && state.exam?.id === exam.id && savedFrameKey(exam.id, f.buf) === key;
  };
  const calipers = c.calipers.saved(seq); // what this save carries; a caliper added meanwhile is not in it
  els.confirm.disabled = true; // a second tap while this one saves does nothing
  // marked before the first await: scrubbing away and back (showFrozen) keeps Confirm off while it saves
  state.savingFrames.add(key);
  state.editedWhileSaving.delete(review);
  let captured = false;
  let edited: boolean;
  try {
    const capture = await api.captureFrame(exam.id, withCalipers(review.buf, calipers), operator, captureKey(exam.id, review.buf));
    captured = true;
    edited = await review.decide(capture, async (id, decision, fix) => {
      // the measurement as this page showed it: the AI proposal, or its own last decision on it
      const expect = state.decided.get(id) ?? { state: 'unverified' as const, decidedAt: null };
      const body = { decision, ...fix, expect };
      const m = await api.decide(id, body, decisionKey(id, body));
      state.decided.set(id, { state: m.state, decidedAt: m.decidedAt });
    });
  } catch (err) {
    state.savingFrames.delete(key);
    state.editedWhileSaving.delete(review);
    if (captured && err instanceof ApiError && err.code === 'SONO_DECISION_STALE') {
      // another device decided a measurement of this frame since this page showed it: tapping again can only
      // be refused again. The capture is stored: the frame counts as saved, Confirm stays off, and the
      // decision is seen or changed in the exam's record
      state.savedFrames.add(key);
      if (c.calipers.seq === seq) c.calipers.savedCount = Math.min(calipers.length, c.calipers.done.length);
      if (stillShown()) els.confirm.disabled = true;
      return c.message(t('decidedElsewhere'), 'error');
    }
    if (stillShown()) els.confirm.disabled = reviewOf(state.mode) === undefined; // not saved: may be tried again
    return c.message(failureText(err), 'error');
  }
  state.savedFrames.add(key);
  state.savingFrames.delete(key);
  // edited during the save (the same proposal still shown: scrubbing away and back rebuilds it, dropping the
  // edit): the screen's values are newer than those stored, so the frame says "edited" with Confirm on
  const editedSince = state.editedWhileSaving.delete(review) && reviewOf(state.mode) === review;
  if (c.calipers.seq === seq) c.calipers.savedCount = Math.min(calipers.length, c.calipers.done.length);
  const newerCalipers = c.calipers.seq === seq && c.calipers.done.length > c.calipers.savedCount;
  const newer = stillShown() && (editedSince || newerCalipers);
  if (newer) {
    c.env.setState('edited');
    els.confirm.disabled = false;
  } else if (stillShown()) c.env.setState('saved');
  c.message(t(newer ? 'savedBeforeEdit' : edited ? 'corrected' : 'confirmed'), newer ? 'info' : 'ok');
  try {
    const fresh = await api.getExam(exam.id);
    if (state.exam?.id === exam.id) state.exam = fresh; // an exam started meanwhile stays the open one
    showExam();
  } catch {
    // every decision is stored: only reading the exam back failed
    c.message(`${t(newer ? 'savedBeforeEdit' : edited ? 'corrected' : 'confirmed')}. ${t('examNotRefreshed')}`, 'info');
  }
}

/**
 * A decision's Idempotency-Key: the measurement and a digest of the body, expected state included. A retry
 * of the same decision (its answer lost, nothing learnt since) sends the same key and is answered with the
 * stored decision; a new decision on it (another body, or after this page's decision was answered) gets a new key.
 */
function decisionKey(id: string, body: DecisionBody): string {
  // cyrb53 (a 53-bit string hash): keys need only differ between the decisions of one measurement
  const text = JSON.stringify(body);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `decision-${id}-${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16)}`;
}

/** The frame message, followed by the calipers as UTF-8 JSON when there are any (else the message alone). */
function withCalipers(frame: ArrayBuffer, clinicianMeasurements: ManualMeasureBody[]): ArrayBuffer {
  if (clinicianMeasurements.length === 0) return frame;
  const json = new TextEncoder().encode(JSON.stringify({ clinicianMeasurements }));
  const out = new Uint8Array(frame.byteLength + json.byteLength);
  out.set(new Uint8Array(frame), 0);
  out.set(json, frame.byteLength);
  return out.buffer;
}
