/**
 * Exam types and the model task each one shows: the daemon gates models and turns results into
 * measurements by this map, the page picks which results to show by it. Adding an exam type starts here.
 */
export const TASKS = { fetalHead: 'fetal-head', breastLesion: 'breast-lesion', enhance: 'enhance' } as const;
export type TaskName = (typeof TASKS)[keyof typeof TASKS];

export const EXAM_TYPES = ['obstetric', 'breast'] as const;
export type ExamType = (typeof EXAM_TYPES)[number];

/** The diagnostic task whose results become an exam type's measurements. */
export const TASK_OF_EXAM: Readonly<Record<ExamType, TaskName>> = { obstetric: TASKS.fetalHead, breast: TASKS.breastLesion };

/** Tasks that serve one exam type (gated by who watches and which exams are open); the others always run. */
export const DIAGNOSTIC_TASKS: ReadonlySet<string> = new Set(Object.values(TASK_OF_EXAM));

export function isExamType(v: unknown): v is ExamType {
  return typeof v === 'string' && (EXAM_TYPES as readonly string[]).includes(v);
}
