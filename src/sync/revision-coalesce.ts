/**
 * One truthful report at the PACS, not a pile of revisions. Each decision after closing (and each
 * adjudication) makes a new report revision; sent one by one, 4 late decisions and a signature put 12 SR
 * instances of one obstetric exam in the PACS (session-14 notes). Now, per target:
 *  - an unsigned revision waits a quiet period (REVISION_QUIET_MS) before it is due; a signed one is due at once;
 *  - a newer revision replaces every revision of the exam still waiting (never tried, not due yet, so surely
 *    not being sent: Outbox.queuedOf), so a burst sends one revision;
 *  - the newer one names, in Predecessor Documents Sequence, the latest revision that target received or may
 *    be receiving (revision 0 at least, which is never replaced), never one it will not get;
 *  - it repeats what each replaced revision said ("Revision k (replaced by this one before it was sent): …"),
 *    so no comment is lost. A revision already sent stays in the PACS, superseded by the newer one.
 * The report_revisions records (src/records/signatures.ts) keep every revision, sent or replaced.
 */
import type { Outbox } from './outbox.js';
import { revisionUids } from './sr-revision.js';
import { keyedUid } from './uids.js';

/** How long an unsigned revision waits for a newer one before it goes (a clinician deciding one measurement after another). */
export const REVISION_QUIET_MS = 30_000;

/** The de-identified SOP Instance UIDs of revision `revision`'s reports (the TID 1500 one, the TID 5000 one). */
export function sentRevisionUids(secret: string, examId: string, revision: number): string[] {
  const u = revisionUids(secret, examId, revision);
  return [keyedUid(secret, u.sr), keyedUid(secret, u.ob)];
}

export interface CoalescePlan {
  /** the revision this target's copy names as its predecessor */
  predecessor: number;
  /** the revisions after it that this target never got (replaced now or before), oldest first: their comments are repeated */
  replaced: number[];
  /** the outbox rows replaced now */
  rowIds: number[];
}

/** For one target: which waiting revisions of the exam `revision` replaces, and which it follows. */
export function planFor(outbox: Outbox, target: string, secret: string, examId: string, revision: number, now = Date.now()): CoalescePlan {
  const rowIds: number[] = [];
  let predecessor = 0;
  for (let k = revision - 1; k >= 1; k--) {
    // no rows: replaced before, or never queued for this target (added since); either way not at the PACS
    const rows = outbox.queuedOf(target, sentRevisionUids(secret, examId, k), now);
    if (rows.length > 0 && !rows.every((r) => r.replaceable)) {
      predecessor = k;
      break;
    }
    rowIds.push(...rows.map((r) => r.id));
  }
  const replaced = Array.from({ length: revision - 1 - predecessor }, (_, i) => predecessor + 1 + i);
  return { predecessor, replaced, rowIds };
}

/** What a revision says of the ones it replaced, in their words. */
export function replacedNotes(outbox: Outbox, examId: string, replaced: readonly number[]): string[] {
  return replaced.flatMap((k) => outbox.revisionNotes(examId, k).map((n) => `Revision ${k} (replaced by this one before it was sent): ${n}`));
}
