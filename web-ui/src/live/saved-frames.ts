/**
 * Which frame a save is about, written once for Confirm (confirm.ts), the frozen view (review.ts) and Save
 * clip (clip.ts). A frame's sequence number alone does not name it: sequences restart at 0 when the source
 * restarts (daemon or watchdog restart, reload, source switch), so frame 12 after a restart is another image
 * than frame 12 before. The frame's capture time (source clock, from its header) goes with it everywhere:
 * in the client keys sent as Idempotency-Key and in the page's saved / saving sets.
 */
import { decodeFrameHeader } from '../../../src/protocol/index.js';

/** What the saved-frame lookups read of the page's state (AppState has it). */
export interface SavedFramesOf {
  exam: { id: string } | undefined;
  /** `savedFrameKey`s of the frames saved to an exam */
  savedFrames: ReadonlySet<string>;
  /** `savedFrameKey`s of the frames whose Confirm is being saved */
  savingFrames: ReadonlySet<string>;
}

/** The frame's sequence number and capture time, from the frame message's header. */
export function frameIdentity(buf: ArrayBuffer): { seq: number; timestampMs: number } {
  const h = decodeFrameHeader(buf);
  return { seq: h.seq, timestampMs: h.timestampMs };
}

/** The frame in `state.savedFrames` / `state.savingFrames`: exam, sequence and capture time. */
export function savedFrameKey(examId: string, buf: ArrayBuffer): string {
  const f = frameIdentity(buf);
  return `${examId}:${f.seq}@${f.timestampMs}`;
}

/** Confirm's Idempotency-Key for the frame (a retry of this frame sends it again, another frame never). */
export function captureKey(examId: string, buf: ArrayBuffer): string {
  const f = frameIdentity(buf);
  return `frame-${examId}-${f.seq}-${f.timestampMs}`;
}

/** Save clip's Idempotency-Key: the first frame (sequence and capture time) and the last frame's sequence. */
export function clipKey(examId: string, first: ArrayBuffer, lastSeq: number): string {
  const f = frameIdentity(first);
  return `clip-${examId}-${f.seq}-${f.timestampMs}-${lastSeq}`;
}

/** Whether the frame is saved to the open exam. */
export function isFrameSaved(state: Pick<SavedFramesOf, 'exam' | 'savedFrames'>, buf: ArrayBuffer): boolean {
  return state.exam !== undefined && state.savedFrames.has(savedFrameKey(state.exam.id, buf));
}

/** Whether a Confirm of the frame is being saved to the open exam right now (Confirm stays off meanwhile). */
export function isFrameSaving(state: Pick<SavedFramesOf, 'exam' | 'savingFrames'>, buf: ArrayBuffer): boolean {
  return state.exam !== undefined && state.savingFrames.has(savedFrameKey(state.exam.id, buf));
}
