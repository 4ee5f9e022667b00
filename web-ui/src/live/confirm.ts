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
import type { ManualMeasureBody } from '../../../src/protocol/rest/index.js';
import { api } from '../api';
import { t } from '../i18n';
import { reviewOf } from '../state';
import { failureText } from './action-message';
import type { LiveContext } from './context';
import { captureKey, savedFrameKey } from './saved-frames';

export async function confirmReview(c: LiveContext, showExam: () => void): Promise<void> {
  const { els, state } = c;
  const review = reviewOf(state.mode);
  if (!review || els.confirm.disabled) return;
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
  els.confirm.disabled = true; // a second tap while this one saves does nothing
  // marked before the first await: scrubbing away and back (showFrozen) keeps Confirm off while it saves
  state.savingFrames.add(key);
  let decided = false;
  try {
    const capture = await api.captureFrame(exam.id, withCalipers(review.buf, c.calipers.saved(seq)), operator, captureKey(exam.id, review.buf));
    const edited = await review.decide(capture, async (id, decision, fix) => {
      await api.decide(id, { decision, ...fix });
    });
    decided = true;
    state.savedFrames.add(key);
    state.savingFrames.delete(key);
    if (c.calipers.seq === seq) c.calipers.savedCount = c.calipers.done.length;
    const fresh = await api.getExam(exam.id);
    if (state.exam?.id === exam.id) state.exam = fresh; // an exam started meanwhile stays the open one
    if (stillShown()) c.env.setState('saved');
    c.message(t(edited ? 'corrected' : 'confirmed'), 'ok');
    showExam();
  } catch (err) {
    state.savingFrames.delete(key);
    // decided: only reading the exam back failed, the frame is saved
    if (stillShown() && !decided) els.confirm.disabled = reviewOf(state.mode) === undefined; // not saved: may be tried again
    c.message(failureText(err), 'error');
  }
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
