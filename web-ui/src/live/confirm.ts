/**
 * Confirm: saves the reviewed frozen frame (posted back as the binary frame message the page holds) and
 * the clinician's decision on each of its measurements, then shows the updated exam. Saving is idempotent:
 * Confirm is switched off while saving (on that frame, scrubbed away and back too: state.savingFrames) and
 * after (an edit turns it back on), each frame is sent with one client key (`Idempotency-Key`: a double tap
 * or a retry is stored once), and a frame already saved says so. So is each decision: a Confirm retried after
 * some of its decisions were answered sends those again with their first key, and the daemon answers the
 * stored decision instead of storing a second one (saved-frames.ts decisionRequest).
 * The key and the saved mark name the frame by exam, sequence AND capture time (saved-frames.ts): sequences
 * restart with the source (the daemon refuses, 409, a key it stored for another frame).
 * The clinician's own calipers on the frame travel in the same request (after the frame message, as
 * `{ clinicianMeasurements }` JSON): the capture and its calipers are stored together or not at all.
 */
import { type BreastSide, decodeFrameHeader } from '../../../src/protocol/index.js';
import type { ManualMeasureBody } from '../../../src/protocol/rest/index.js';
import { ApiError, type Measurement, api } from '../api';
import { t } from '../i18n';
import { reviewOf } from '../state';
import { examRefusalText } from '../patient-form/exam-refusal';
import { type LiveContext, redraw } from './context';
import { formatGa, withUnit } from './format';
import { captureKey, decisionRequest, decisionsSettled, isFrameSaving, savedFrameKey } from './saved-frames';
import { fill } from './strings';
import { currentSide, sideRequired } from './breast-side';

export async function confirmReview(c: LiveContext, showExam: () => void): Promise<void> {
  const { els, state } = c;
  const review = reviewOf(state.mode);
  // a save of this frame in flight: a second tap sends nothing (an edit meanwhile waits for its end, below)
  if (!review || els.confirm.disabled || isFrameSaving(state, review.buf)) return;
  const operator = els.operator.value.trim();
  const exam = state.exam;
  if (!exam) return c.message(t('needExam'), 'error');
  if (!operator) return c.message(t('needOperator'), 'error');
  // a breast capture names its breast (src/protocol/laterality.ts): no side chosen, nothing is sent
  const laterality = currentSide(exam.id);
  if (sideRequired(exam.examType) && !laterality) return c.message(t('needSide'), 'error');
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
  let capture: Awaited<ReturnType<typeof api.captureFrame>> | undefined;
  let edited: boolean;
  try {
    capture = await api.captureFrame(exam.id, withExtras(review.buf, calipers, sideRequired(exam.examType) ? laterality : undefined), operator, captureKey(exam.id, review.buf));
    edited = await review.decide(capture, async (id, decision, fix) => {
      // the measurement as this page showed it: the AI proposal, or its own last decision on it (a retry of
      // this Confirm sends a decision already answered with its first key: saved-frames.ts decisionRequest)
      const { body, key } = decisionRequest(id, { decision, ...fix }, state.decided.get(id) ?? { state: 'unverified', decidedAt: null });
      const m = await api.decide(id, body, key);
      state.decided.set(id, { state: m.state, decidedAt: m.decidedAt });
    });
  } catch (err) {
    state.savingFrames.delete(key);
    state.editedWhileSaving.delete(review);
    if (capture && err instanceof ApiError && err.code === 'SONO_DECISION_STALE') {
      // another device decided a measurement of this frame since this page showed it: tapping again can only
      // be refused again. The capture is stored: the frame counts as saved, Confirm stays off, the line and
      // the message say what is stored now; the decision is changed in the exam's record
      decisionsSettled(capture.measurements.map((m) => m.id));
      state.savedFrames.add(key);
      state.decidedElsewhereFrames.add(key);
      if (c.calipers.seq === seq) c.calipers.savedCount = Math.min(calipers.length, c.calipers.done.length);
      return showDecidedElsewhere(c, exam.id, capture.id, stillShown, showExam);
    }
    if (stillShown()) els.confirm.disabled = reviewOf(state.mode) === undefined; // not saved: may be tried again
    // closed on another device: the page drops the exam; acquired before the exam: freeze again (patient-form/exam-refusal.ts)
    return c.message(examRefusalText(err, exam.id), 'error');
  }
  decisionsSettled(capture.measurements.map((m) => m.id)); // stored: a later decision on them is a new one
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
 * After 409 SONO_DECISION_STALE on a frame whose capture is stored: a measurement of it was decided on another
 * device since this page showed it. While the frame is still shown the state line says so (no longer the
 * proposal's "unverified" or "edited") and Confirm stays off; the message says what is stored now, read back
 * from the daemon with the exam's summary (the message without the values when that read fails).
 */
async function showDecidedElsewhere(c: LiveContext, examId: string, captureId: string, stillShown: () => boolean, showExam: () => void): Promise<void> {
  if (stillShown()) {
    c.els.state.dataset.i18n = 'decidedElsewhereLine'; // applyI18n re-words it on a change of language
    c.els.state.textContent = t('decidedElsewhereLine');
    c.els.state.className = 'unverified';
    c.els.confirm.disabled = true;
    redraw(c); // the label on the image says it too, not the proposal's "unverified" or "edited"
  }
  c.message(t('decidedElsewhere'), 'error');
  let fresh: Awaited<ReturnType<typeof api.getExam>>;
  try {
    fresh = await api.getExam(examId);
  } catch {
    return; // what is stored is seen in the exam's record, as the message says
  }
  if (c.state.exam?.id !== examId) return; // another exam opened meanwhile: this one's news is not for it
  c.state.exam = fresh;
  showExam();
  // decided, and not as this page's own answer said: decided elsewhere
  const measurements = fresh.captures.find((k) => k.id === captureId)?.measurements ?? [];
  const elsewhere = measurements.filter((m) => m.state !== 'unverified' && c.state.decided.get(m.id)?.decidedAt !== m.decidedAt);
  if (elsewhere.length) c.message(fill(t('decidedElsewhereNow'), { list: elsewhere.map(storedText).join('; ') }), 'error');
}

/** A stored decision in a line: "HC 180.0 mm, corrected by alice". */
function storedText(m: Measurement): string {
  const v = m.finalText ?? (m.finalValue === null ? '–' : m.unit === 'weeks' ? formatGa(m.finalValue) : withUnit(m.finalValue, m.unit === 'mm' ? 1 : 2, m.unit));
  return fill(t(m.state === 'corrected' ? 'correctedBy' : 'confirmedBy'), { what: `${m.kind.replace(/_/g, ' ').toUpperCase()} ${v}`, by: m.decidedBy ?? '?' });
}

/** The frame message, followed by the calipers and the breast side as UTF-8 JSON when there are any (else the message alone). */
function withExtras(frame: ArrayBuffer, clinicianMeasurements: ManualMeasureBody[], laterality: BreastSide | undefined): ArrayBuffer {
  if (clinicianMeasurements.length === 0 && laterality === undefined) return frame;
  const extras = { ...(clinicianMeasurements.length > 0 ? { clinicianMeasurements } : {}), ...(laterality ? { laterality } : {}) };
  const json = new TextEncoder().encode(JSON.stringify(extras));
  const out = new Uint8Array(frame.byteLength + json.byteLength);
  out.set(new Uint8Array(frame), 0);
  out.set(json, frame.byteLength);
  return out.buffer;
}
