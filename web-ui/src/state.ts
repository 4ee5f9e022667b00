/**
 * The page's one state object. What the screen is doing is `mode`, an explicit union: every handler
 * switches on it instead of guessing from which variables happen to be set.
 */
import type { DecodedFrameHeader, ExamType, ResultMessage } from '../../src/protocol/index.js';
import type { Exam, Measurement } from './api';
import { Cine } from './live/cine';
import type { Review } from './exam-types/types';

export type Point = [number, number];

export type Mode =
  /** frames and results stream in */
  | { kind: 'live' }
  /** frozen on a frame with no AI proposal to review */
  | { kind: 'frozen' }
  /** frozen on the AI's proposal (an ellipse or a lesion: `review.kind`), which the clinician may edit and confirm */
  | { kind: 'reviewing'; review: Review }
  /** a finger holds one of the proposal's handles, calipers or outline points */
  | { kind: 'dragging'; review: Review }
  /** a finger scrubs the cine sideways (one frame per 12 px) */
  | { kind: 'swiping'; fromX: number; review: Review | undefined }
  /** two-point calibration: the points tapped so far, in frame pixels */
  | { kind: 'calibrating'; points: Point[]; review: Review | undefined }
  /** two fingers zoom and pan the frozen frame; `after` is what the screen goes back to when they lift */
  | { kind: 'pinching'; after: Mode; review: Review | undefined }
  /** one finger pans the zoomed frozen frame */
  | { kind: 'panning'; review: Review | undefined }
  /** a finger is down with a caliper tool chosen: lifting it puts a caliper point there */
  | { kind: 'tapping'; review: Review | undefined };

export interface AppState {
  mode: Mode;
  examType: ExamType;
  exam: Exam | undefined;
  /** the newest raw frame's header (spacing, size): numbers and captures use raw frames only */
  header: DecodedFrameHeader | undefined;
  /** the newest result of the shown exam type, drawn over live frames */
  latest: ResultMessage | undefined;
  readonly cine: Cine;
  /**
   * frames saved to an exam, as `examId:seq@timestampMs` (live/saved-frames.ts: sequences restart with the
   * source, the capture time tells frames apart): re-freezing one says so instead of storing it again
   */
  readonly savedFrames: Set<string>;
  /**
   * frames whose Confirm is being saved, same keys: Confirm stays off on them (scrubbing away and back during a
   * slow save rebuilt the AI proposal with Confirm on, and a second tap confirmed the AI over the correction)
   */
  readonly savingFrames: Set<string>;
  /**
   * saved frames whose Confirm was refused because another device decided a measurement of them first (409
   * SONO_DECISION_STALE), same keys: scrubbing back to one says so again, never "saved" for decisions not stored
   */
  readonly decidedElsewhereFrames: Set<string>;
  /**
   * proposals edited while their frame's Confirm was being saved: that save carries the values as they were,
   * so when it ends the frame reads "edited" with Confirm on (the newer values are not stored), not "saved"
   */
  readonly editedWhileSaving: WeakSet<Review>;
  /**
   * measurements this page decided, as the daemon answered (state, decidedAt): the state its next decision on
   * one expects (`expect`); a measurement not here was seen only as the AI proposed it (unverified)
   */
  readonly decided: Map<string, { state: Measurement['state']; decidedAt: string | null }>;
  /** the tasks of the models the daemon runs (from its hello); undefined until known */
  installedTasks: Set<string> | undefined;
}

export function createState(): AppState {
  return {
    mode: { kind: 'live' },
    examType: 'obstetric',
    exam: undefined,
    header: undefined,
    latest: undefined,
    cine: new Cine(150),
    savedFrames: new Set(),
    savingFrames: new Set(),
    decidedElsewhereFrames: new Set(),
    editedWhileSaving: new WeakSet(),
    decided: new Map(),
    installedTasks: undefined,
  }; // 5 s at 30 fps
}

/** The proposal under review, whatever the gesture in progress. */
export function reviewOf(mode: Mode): Review | undefined {
  return mode.kind === 'live' || mode.kind === 'frozen' ? undefined : mode.review;
}

export const isFrozen = (mode: Mode): boolean => mode.kind !== 'live';

/** The mode to rest in once a gesture ends: the proposal under review, or the plain frozen frame. */
export const resting = (review: Review | undefined): Mode => (review ? { kind: 'reviewing', review } : { kind: 'frozen' });
