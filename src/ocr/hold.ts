import type { IdentifierKind } from './identifiers.js';

/** Why an outgoing image is kept on the device (shown in GET /api/sync; a technician releases it). */
export interface HoldReason {
  code: 'SONO_BURNED_IN_TEXT' | 'SONO_REGION_NOT_SET' | 'SONO_OCR_FAILED' | 'SONO_CAPTURE_PIXELS_DAMAGED';
  /** What a technician reads: what was found, or what is missing. */
  message: string;
  /** The words the OCR read (burned-in text only). */
  text?: string;
  /** Where they are, in image pixels (burned-in text only). */
  boxes?: Array<{ x: number; y: number; width: number; height: number }>;
  /** Burned-in text only: `patient-data` when what was read is one of the exam's identifiers (which kinds in `identifiers`, never their values). */
  found?: 'patient-data';
  identifiers?: IdentifierKind[];
  /** How many OCR runs failed (SONO_OCR_FAILED only): failures are retried a few times before an image is held. */
  attempts?: number;
}

/**
 * The gate's states, per image: `checking` (queued for the OCR), `held` (kept here, with a reason),
 * `passed` (no text found), `released` (a technician let it go, masked or as it was).
 */
export type GateState = 'checking' | 'held' | 'passed' | 'released';

/** What the exam builder asks of the gate for one image: read it first, or hold it at once. */
export type GateEntry = { check: true } | { hold: HoldReason };
