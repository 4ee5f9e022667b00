/**
 * Which frame a save is about, written once for Confirm (confirm.ts), the frozen view (review.ts) and Save
 * clip (clip.ts). A frame's sequence number alone does not name it: sequences restart at 0 when the source
 * restarts (daemon or watchdog restart, reload, source switch), so frame 12 after a restart is another image
 * than frame 12 before. The frame's capture time (source clock, from its header) goes with it everywhere:
 * in the client keys sent as Idempotency-Key and in the page's saved / saving sets.
 */
import { decodeFrameHeader } from '../../../src/protocol/index.js';
import type { DecisionBody } from '../../../src/protocol/rest/index.js';

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

/** What a decision expects of its measurement (`expect`): the state and decidedAt this page showed. */
export type Expectation = NonNullable<DecisionBody['expect']>;

/**
 * The last decision this page sent on each measurement whose Confirm has not ended well: what it asked (the body
 * but `expect`) and what it expected then. Cleared when its Confirm ends (`decisionsSettled`).
 */
const attempts = new Map<string, { request: string; expect: Expectation }>();

/**
 * The body and Idempotency-Key of a decision on measurement `id`. A Confirm retried after a partial failure
 * (some of its measurements answered, then an error) sends the answered ones again: each goes with the
 * expectation, so the body and the key, of its first try, and the daemon answers the decision it stored then
 * instead of storing it a second time over the page's own answer (a second identical history row). Another
 * decision (an edit since) expects `known`: the measurement as this page last learnt it.
 */
export function decisionRequest(id: string, decision: Omit<DecisionBody, 'expect'>, known: Expectation): { body: DecisionBody; key: string } {
  const request = JSON.stringify(decision);
  const before = attempts.get(id);
  const expect = before?.request === request ? before.expect : known;
  attempts.set(id, { request, expect });
  const body = { ...decision, expect };
  return { body, key: decisionKey(id, body) };
}

/** The Confirm that decided these measurements ended (stored, or decided elsewhere): a later decision is a new one. */
export function decisionsSettled(ids: Iterable<string>): void {
  for (const id of ids) attempts.delete(id);
}

/**
 * A decision's Idempotency-Key: the measurement and a digest of the body, expected state included. A retry
 * of the same decision sends the same key and is answered with the stored decision; a new decision on it
 * (another body, or after this page's Confirm of it ended) gets a new key.
 */
function decisionKey(id: string, body: DecisionBody): string {
  // cyrb53 (a 53-bit string hash): keys need only differ between the decisions of one measurement
  const text = JSON.stringify(body);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `decision-${id}-${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16)}`;
}
