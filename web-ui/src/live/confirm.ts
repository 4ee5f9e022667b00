/**
 * Confirm: saves the reviewed frozen frame (posted back as the binary frame message the page holds) and
 * the clinician's decision on each of its measurements, then shows the updated exam. Saving is idempotent:
 * Confirm is switched off while saving and after (an edit turns it back on), each frame is sent with one
 * client key (`Idempotency-Key`: a double tap or a retry is stored once), and a frame already saved says so.
 */
import { decodeFrameHeader } from '../../../src/protocol/index.js';
import { api } from '../api';
import { t } from '../i18n';
import { reviewOf } from '../state';
import { failureText } from './action-message';
import type { LiveContext } from './context';

export async function confirmReview(c: LiveContext, showExam: () => void): Promise<void> {
  const { els, state } = c;
  const review = reviewOf(state.mode);
  if (!review || els.confirm.disabled) return;
  const operator = els.operator.value.trim();
  const exam = state.exam;
  if (!exam) return c.message(t('needExam'), 'error');
  if (!operator) return c.message(t('needOperator'), 'error');
  const seq = decodeFrameHeader(review.buf).seq;
  els.confirm.disabled = true; // a second tap while this one saves does nothing
  try {
    const capture = await api.captureFrame(exam.id, review.buf, operator, `frame-${exam.id}-${seq}`);
    const edited = await review.decide(capture, async (id, decision, fix) => {
      await api.decide(id, { decision, ...fix });
    });
    state.savedFrames.add(`${exam.id}:${seq}`);
    state.exam = await api.getExam(exam.id);
    c.env.setState('saved');
    c.message(t(edited ? 'corrected' : 'confirmed'), 'ok');
    showExam();
  } catch (err) {
    els.confirm.disabled = reviewOf(state.mode) === undefined; // not saved: may be tried again
    c.message(failureText(err), 'error');
  }
}
