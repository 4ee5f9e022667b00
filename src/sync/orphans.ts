/**
 * Outgoing items of a sync target that is no longer configured (renamed or removed in sync.targets). Nothing
 * sends them (a sender runs per configured target), and GET /api/sync listed only configured targets, so they
 * waited unseen and kept their exams' pixels from retention (an unsent row, src/service/retention.ts). They are
 * shown as a target in state `orphaned` with a coded reason, and a technician acts on them:
 *  - requeue to a configured target: each unsent item moves there, pending, attempts reset, due now (one that
 *    target already has queued or sent is dropped from the removed target: it is not sent twice);
 *  - discard: the unsent items are deleted (the exam's record, pixels and reports stay in the database; only
 *    the copies prepared for that target go), with the OCR gate entries no other item uses.
 * Both are audited by the route (src/server/plugins/sync.ts). Items already sent to the removed target stay as
 * its history; they block nothing.
 */
import type { Db } from '../records/database.js';
import type { OrphanResultDto } from '../protocol/rest/sync-orphans.js';

/** The reason an orphaned target shows (proposed for src/errors.ts ErrorCodes: SYNC_TARGET_REMOVED). */
export const SYNC_TARGET_REMOVED = 'SONO_SYNC_TARGET_REMOVED';

const UNSENT = `state IN ('pending','rejected')`;

export interface OrphanTarget {
  name: string;
  /** items not sent (pending or rejected, held or checking included) */
  unsent: number;
  exams: number;
}

export class OrphanStore {
  constructor(private readonly db: Db) {}

  /** Targets with unsent items that `configured` does not name. */
  targets(configured: readonly string[]): OrphanTarget[] {
    return this.db
      .prepare(`SELECT target name, count(*) unsent, count(DISTINCT exam_id) exams FROM outbox WHERE ${UNSENT} AND target NOT IN (SELECT value FROM json_each(?)) GROUP BY target ORDER BY target`)
      .all(JSON.stringify(configured)) as OrphanTarget[];
  }

  /** The reason shown for an orphaned target: what it is and what to do. */
  static reason(o: OrphanTarget): string {
    return (
      `${SYNC_TARGET_REMOVED}: no sync target is named "${o.name}" in sync.targets (renamed or removed); its ${o.unsent} unsent item(s) of ${o.exams} exam(s) ` +
      `are sent by nobody and keep those exams' pixels from retention. Send them to a configured target, or discard them.`
    );
  }

  #examsOf(from: string): string[] {
    return this.db.prepare(`SELECT DISTINCT exam_id FROM outbox WHERE target = ? AND ${UNSENT} ORDER BY exam_id`).pluck().all(from) as string[];
  }

  requeue(from: string, to: string): OrphanResultDto {
    return this.db
      .transaction((): OrphanResultDto => {
        const exams = this.#examsOf(from);
        const dup = this.db.prepare(`DELETE FROM outbox WHERE target = ? AND ${UNSENT} AND sop_instance_uid IN (SELECT sop_instance_uid FROM outbox WHERE target = ?)`).run(from, to).changes;
        const moved = this.db
          .prepare(`UPDATE outbox SET target = ?, state = 'pending', attempts = 0, next_attempt_at = 0, last_error = ? WHERE target = ? AND ${UNSENT}`)
          .run(to, `requeued from removed target ${from}`, from).changes;
        return { requeued: moved, alreadyQueued: dup, discarded: 0, exams };
      })
      .immediate();
  }

  discard(from: string): OrphanResultDto {
    return this.db
      .transaction((): OrphanResultDto => {
        const exams = this.#examsOf(from);
        const n = this.db.prepare(`DELETE FROM outbox WHERE target = ? AND ${UNSENT}`).run(from).changes;
        // a gate entry is per instance, shared by its targets: gone only when no item of any target uses it
        this.db
          .prepare('DELETE FROM outbox_gate WHERE exam_id IN (SELECT value FROM json_each(?)) AND sop_instance_uid NOT IN (SELECT sop_instance_uid FROM outbox WHERE exam_id = outbox_gate.exam_id)')
          .run(JSON.stringify(exams));
        return { requeued: 0, alreadyQueued: 0, discarded: n, exams };
      })
      .immediate();
  }
}
