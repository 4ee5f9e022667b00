/**
 * Audit rows in bulk for the verify tests: chained and hashed exactly as AuditTrail.record chains them, but
 * written in one transaction (record() one row at a time takes seconds for 50,000).
 */
import { auditKey, GENESIS_HASH, rowHash } from '../../src/audit/audit-trail.js';
import type { ChainRow } from '../../src/audit/verify.js';
import type { Db } from '../../src/records/database.js';

export const INSERT_AUDIT_ROW =
  'INSERT INTO audit (id, at, user, role, client, action, target, outcome, details_json, prev_hash, hash) VALUES (@id, @at, @user, @role, @client, @action, @target, @outcome, @details_json, @prev_hash, @hash)';

/** Appends rows with ids `from`..`to` after the trail's last row, each linked to the one before. */
export function appendChainedRows(db: Db, deviceSecret: string, from: number, to: number): void {
  const key = auditKey(deviceSecret);
  const insert = db.prepare(INSERT_AUDIT_ROW);
  db.transaction(() => {
    let prev = (db.prepare('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined)?.hash ?? GENESIS_HASH;
    for (let id = from; id <= to; id++) {
      const row: ChainRow = {
        id,
        at: new Date().toISOString(),
        user: 'alice',
        role: 'clinician',
        client: '10.0.0.7',
        action: 'exam.read',
        target: `exam-${id}`,
        outcome: 'ok',
        details_json: null,
        prev_hash: prev,
        hash: '',
      };
      row.hash = rowHash(key, row);
      insert.run(row);
      prev = row.hash;
    }
  })();
}
