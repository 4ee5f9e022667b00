/**
 * The audit trail: one append-only table whose rows are chained. Each row's hash is an HMAC over its own
 * fields and the hash of the row before it, under a key derived from the device secret, which the database
 * does not hold: someone with the database key alone can add, edit, remove or reorder rows, but cannot make
 * the chain check out again. SQL triggers also refuse UPDATE and DELETE (a second wall, not the proof).
 * Writers are the daemon and the CLI, possibly at the same time: a row is appended inside an IMMEDIATE
 * transaction, so two writers never chain onto the same predecessor.
 */
import { createHmac } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../records/database.js';
import { ChainCheck, GENESIS_HASH, verifyChain, type AuditFields, type ChainRow, type VerifyResult } from './verify.js';

export { GENESIS_HASH };

/** Rows checked between two yields to the event loop in verifyInSlices: about 14 ms at ~14 µs a row (one HMAC each). */
export const VERIFY_SLICE_ROWS = 1000;

export type AuditOutcome = 'ok' | 'denied' | 'failed';

export interface AuditEvent {
  /** Who acted: a user name, or null when nobody is signed in (a failed sign-in names the user tried in `target`). */
  user?: string | null;
  role?: string | null;
  /** Client address (or 'cli' for the command line). */
  client?: string | null;
  /** Dotted verb, e.g. 'session.sign-in', 'exam.read', 'user.disable'. */
  action: string;
  target?: string | null;
  outcome: AuditOutcome;
  /** Small facts for the reader; never patient data. */
  details?: Record<string, unknown>;
}

/** An audit row as read: its outcome typed, its details parsed. */
export interface AuditRow extends AuditFields {
  outcome: AuditOutcome;
  details: Record<string, unknown> | null;
}

export interface AuditFilter {
  user?: string;
  /** Exact action, or a prefix ending in '.' (e.g. 'session.'). */
  action?: string;
  outcome?: AuditOutcome;
  /** ISO times, inclusive. */
  since?: string;
  until?: string;
  /** Rows with a smaller id (paging backwards from the newest). */
  beforeId?: number;
  limit?: number;
}

/** The HMAC key of the chain, derived from the device secret (never stored). */
export function auditKey(deviceSecret: string): Buffer {
  return createHmac('sha256', deviceSecret).update('sonoedge audit chain v1').digest();
}

/** The hash a row must carry: over every field, its id and the previous row's hash. */
export function rowHash(key: Buffer, row: ChainRow): string {
  const fields = [row.id, row.at, row.user, row.role, row.client, row.action, row.target, row.outcome, row.details_json, row.prev_hash];
  return createHmac('sha256', key).update(JSON.stringify(fields)).digest('hex');
}

export class AuditTrail {
  readonly #db: Db;
  readonly #key: Buffer;

  constructor(db: Db, deviceSecret: string) {
    this.#db = db;
    this.#key = auditKey(deviceSecret);
  }

  /** Appends one event and returns its row. Synchronous, like the rest of the records layer. */
  record(event: AuditEvent): AuditRow {
    const db = this.#db;
    const append = db.transaction((): AuditRow => {
      const last = db.prepare('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined;
      // the AUTOINCREMENT counter, not max(id) + 1: rows cut from the end leave a gap that verify() reports
      const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").get() as { seq: number } | undefined;
      const row: ChainRow = {
        id: (seq?.seq ?? 0) + 1,
        at: new Date().toISOString(),
        user: event.user ?? null,
        role: event.role ?? null,
        client: event.client ?? null,
        action: event.action,
        target: event.target ?? null,
        outcome: event.outcome,
        details_json: event.details === undefined ? null : JSON.stringify(event.details),
        prev_hash: last?.hash ?? GENESIS_HASH,
        hash: '',
      };
      row.hash = rowHash(this.#key, row);
      db.prepare(
        `INSERT INTO audit (id, at, user, role, client, action, target, outcome, details_json, prev_hash, hash)
        VALUES (@id, @at, @user, @role, @client, @action, @target, @outcome, @details_json, @prev_hash, @hash)`,
      ).run(row);
      return toAuditRow(row);
    });
    return append.immediate();
  }

  /** Newest first, filtered. */
  list(filter: AuditFilter = {}): AuditRow[] {
    const prefix = filter.action?.endsWith('.') === true;
    const conditions: Array<[unknown, string]> = [
      [filter.user, 'user = @user'],
      [filter.action, prefix ? 'substr(action, 1, length(@action)) = @action' : 'action = @action'],
      [filter.outcome, 'outcome = @outcome'],
      [filter.since, 'at >= @since'],
      [filter.until, 'at <= @until'],
      [filter.beforeId, 'id < @beforeId'],
    ];
    const where = conditions.filter(([value]) => value !== undefined).map(([, sql]) => sql);
    const args = { ...filter, limit: Math.min(Math.max(filter.limit ?? 200, 1), 1000) };
    const sql = `SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`;
    return (this.#db.prepare(sql).all(args) as ChainRow[]).map(toAuditRow);
  }

  /**
   * Walks the whole chain in one go; names the first row edited, removed or moved. Blocks the event loop for
   * as long as it runs (~1 s per 100,000 rows): for the command line; a running daemon calls verifyInSlices.
   */
  verify(): VerifyResult {
    const rows = this.#db.prepare('SELECT * FROM audit ORDER BY id').iterate() as IterableIterator<ChainRow>;
    return verifyChain(rows, (row) => rowHash(this.#key, row));
  }

  /**
   * The same check as verify(), the same result, but `sliceRows` rows at a time with a turn of the event loop
   * between slices, so live frames, the watchdog and other requests go on while a long trail is checked.
   * The chain checked ends at the last row present when the call starts: rows appended while it runs are
   * left out (the next verify covers them), so `rows` counts the trail as it was at the start.
   */
  async verifyInSlices(sliceRows = VERIFY_SLICE_ROWS): Promise<VerifyResult> {
    const db = this.#db;
    // from the smallest id, not 1: a row slipped in at id 0 or below must be reported, as verify() does
    const { first, end } = db.prepare('SELECT min(id) AS first, max(id) AS end FROM audit').get() as { first: number | null; end: number | null };
    const slice = db.prepare('SELECT * FROM audit WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
    const check = new ChainCheck((row) => rowHash(this.#key, row));
    let after = (first ?? 1) - 1;
    while (end !== null && after < end) {
      const rows = slice.all(after, end, sliceRows) as ChainRow[];
      for (const row of rows) {
        const bad = check.next(row);
        if (bad) return bad;
      }
      if (rows.length < sliceRows) break;
      after = rows[rows.length - 1]!.id;
      if (after < end) await nextTurn();
    }
    return check.result();
  }
}

function toAuditRow(r: ChainRow): AuditRow {
  return {
    id: r.id,
    at: r.at,
    user: r.user,
    role: r.role,
    client: r.client,
    action: r.action,
    target: r.target,
    outcome: r.outcome as AuditOutcome,
    details: r.details_json === null ? null : (JSON.parse(r.details_json) as Record<string, unknown>),
  };
}
