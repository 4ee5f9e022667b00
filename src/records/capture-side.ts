/**
 * The side check of a capture (src/protocol/laterality.ts) as the daemon refuses it: a breast capture without
 * the breast it was taken on is 400 SONO_LATERALITY_REQUIRED, a side on an obstetric capture (or a side that is
 * neither left nor right) 400 SONO_LATERALITY_INVALID. Both capture routes check it before anything is stored;
 * a retry of a capture already stored (same Idempotency-Key) is answered as stored, side included.
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { ExamType } from '../protocol/exam-types.js';
import { type BreastSide, sideProblem } from '../protocol/laterality.js';

export function checkCaptureSide(examType: ExamType, side: unknown, examId: string): BreastSide | undefined {
  const problem = sideProblem(examType, side);
  if (problem === 'required') {
    throw new SonoError(
      ErrorCodes.LATERALITY_REQUIRED,
      `Exam ${examId} is a breast exam: each capture must say which breast it was taken on; choose Left or Right breast, then save again (no breast-side buttons on the page: reload it; a script: send laterality "left" or "right")`,
      {
        details: { examType, allowed: ['left', 'right'] },
      },
    );
  }
  if (problem === 'invalid') {
    throw new SonoError(
      ErrorCodes.LATERALITY_INVALID,
      examType === 'breast'
        ? `The side "${String(side)}" is not a breast side; send laterality "left" or "right"`
        : `Exam ${examId} is an ${examType} exam: its captures have no side; send no laterality`,
      { details: { examType, laterality: typeof side === 'string' ? side : null } },
    );
  }
  return side as BreastSide | undefined;
}
