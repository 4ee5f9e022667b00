/**
 * The exam types the page offers, in the order of the selector. Adding an exam type: write its module
 * (panel, live numbers, overlay, review) beside these, list it here, and give its task in
 * src/protocol/exam-types.ts.
 */
import { EXAM_TYPES, type ExamType } from '../../../src/protocol/index.js';
import { breast } from './breast';
import { obstetric } from './obstetric';
import type { ExamTypeModule } from './types';

export const examTypes: Readonly<Record<ExamType, ExamTypeModule>> = { obstetric, breast };
export const examTypeList: readonly ExamTypeModule[] = EXAM_TYPES.map((t) => examTypes[t]);
