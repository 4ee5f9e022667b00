/**
 * The open exam as the screens outside the live view see it: the exam record resumes one (after a reload,
 * or another exam) and forgets a voided one; the growth page opens on its patient. The live view's exam
 * form registers the handlers once (wirePatientForm). Only the exam's id is kept on the device
 * (localStorage), never patient data, so a reload can resume it.
 */
import type { Exam } from '../api';

const KEY = 'sonoedge.openExam';

interface Handlers {
  current(): Exam | undefined;
  resume(exam: Exam): void;
  forget(examId: string): void;
  /** the daemon said exam `examId` is closed (or voided) since: the page drops it and says so */
  closedElsewhere(examId: string, voided: boolean): void;
}

let handlers: Handlers | undefined;

export const examSession = {
  register(h: Handlers): void {
    handlers = h;
  },
  current: (): Exam | undefined => handlers?.current(),
  resume: (exam: Exam): void => handlers?.resume(exam),
  forget: (examId: string): void => handlers?.forget(examId),
  closedElsewhere: (examId: string, voided = false): void => handlers?.closedElsewhere(examId, voided),
  /** the id of the exam last open on this device */
  remembered: (): string | null => localStorage.getItem(KEY),
  remember: (examId: string | undefined): void => (examId ? localStorage.setItem(KEY, examId) : localStorage.removeItem(KEY)),
};
