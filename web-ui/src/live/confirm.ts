/**
 * Confirm: saves the reviewed frozen frame (posted back as the binary frame message the page holds) and
 * the clinician's decision on each of its measurements, then shows the updated exam.
 */
import { api } from '../api';
import { t } from '../i18n';
import { reviewOf } from '../state';
import type { LiveContext } from './context';

export async function confirmReview(c: LiveContext, showExam: () => void): Promise<void> {
  const { els, state } = c;
  const review = reviewOf(state.mode);
  if (!review) return;
  const operator = els.operator.value.trim();
  const exam = state.exam;
  if (!exam) return c.message(t('needExam'));
  if (!operator) return c.message(t('needOperator'));
  try {
    const capture = await api.captureFrame(exam.id, review.buf, operator);
    const edited = await review.decide(capture, async (id, decision, fix) => {
      await api.decide(id, { decision, by: operator, ...fix });
    });
    state.exam = await api.getExam(exam.id);
    c.env.setState('saved');
    c.message(t(edited ? 'corrected' : 'confirmed'));
    showExam();
  } catch (err) {
    c.message((err as Error).message);
  }
}
