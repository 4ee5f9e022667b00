/**
 * Which breast a breast-exam capture was taken on. A sonographer scans both breasts in one visit, so the side
 * belongs to each capture, not to the exam: the live page keeps the side being scanned (a toggle, no default)
 * and every capture saved carries the side it was taken on. A breast capture without a side is refused
 * (SONO_LATERALITY_REQUIRED): a lesion with a malignancy probability and a biopsy alert must name its breast.
 * An obstetric capture has no side (SONO_LATERALITY_INVALID when one is sent). Captures stored before sides
 * were recorded (migration 32) read back with `laterality: null`.
 */
import type { ExamType } from './exam-types.js';

export const BREAST_SIDES = ['left', 'right'] as const;
export type BreastSide = (typeof BREAST_SIDES)[number];

export function isBreastSide(v: unknown): v is BreastSide {
  return typeof v === 'string' && (BREAST_SIDES as readonly string[]).includes(v);
}

/** Exam types whose captures must name a side. */
export const SIDED_EXAM_TYPES: ReadonlySet<ExamType> = new Set<ExamType>(['breast']);

/** Image Laterality (0020,0062), PS3.3 C.7.6.1: enumerated values R right, L left. */
export const DICOM_IMAGE_LATERALITY: Readonly<Record<BreastSide, 'L' | 'R'>> = { left: 'L', right: 'R' };

/**
 * SR codes (PS3.16): Laterality SCT 272741003 as the concept modifier of the Finding Site (TID 1501 / TID 300
 * $TargetSiteLaterality), its value from CID 244 Laterality: Left SCT 7771000, Right SCT 24028007.
 */
export const LATERALITY_CONCEPT = { CodeValue: '272741003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Laterality' } as const;
export const LATERALITY_VALUE: Readonly<Record<BreastSide, { CodeValue: string; CodingSchemeDesignator: 'SCT'; CodeMeaning: string }>> = {
  left: { CodeValue: '7771000', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Left' },
  right: { CodeValue: '24028007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Right' },
};

/** What is wrong with a capture's side for its exam type, or undefined when it is right (the page and the daemon share this rule). */
export function sideProblem(examType: ExamType, side: unknown): 'required' | 'invalid' | undefined {
  if (SIDED_EXAM_TYPES.has(examType)) return side === undefined || side === null ? 'required' : isBreastSide(side) ? undefined : 'invalid';
  return side === undefined || side === null ? undefined : 'invalid';
}
