/**
 * A save (Confirm, Save clip) or Close refused because of the exam itself. 409 SONO_EXAM_CLOSED or
 * SONO_EXAM_VOIDED: the exam was closed or voided on another device since this page opened it, so the page
 * drops it (the form is ready for the next patient) instead of staying on an exam that takes nothing more.
 * 409 SONO_FRAME_BEFORE_EXAM: the frame was acquired before this exam was started or resumed (it may show the
 * patient before), so freezing again is the way on. Anything else: the request's own failure text.
 * An exam this page closed itself (`closedHere`) is not blamed on another device: the refusal says it was
 * closed here before the image was saved.
 */
import { ApiError } from '../api';
import { failureText } from '../live/action-message';
import { examSession } from './exam-session';
import { tr } from './strings';

/** The exams this page asked the daemon to close (since it loaded). */
const closedByThisPage = new Set<string>();

/** This page is closing exam `examId` (its Close request is being sent); the function returned: it was not closed. */
export function closingHere(examId: string): () => void {
  closedByThisPage.add(examId);
  return () => closedByThisPage.delete(examId);
}

export function examRefusalText(err: unknown, examId: string): string {
  if (err instanceof ApiError && (err.code === 'SONO_EXAM_CLOSED' || err.code === 'SONO_EXAM_VOIDED')) {
    const voided = err.code === 'SONO_EXAM_VOIDED';
    examSession.closedElsewhere(examId, voided);
    if (!voided && closedByThisPage.has(examId)) return tr('closedHere');
    return tr(voided ? 'voidedElsewhere' : 'closedElsewhere');
  }
  if (err instanceof ApiError && err.code === 'SONO_FRAME_BEFORE_EXAM') return tr('frameBeforeExam');
  return failureText(err);
}
