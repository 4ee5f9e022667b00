/**
 * Checking the audit chain row by row. Three ways a row can be wrong, reported for the first one found:
 * - removed: the ids jump (row 7 follows row 5), or the first row is not row 1;
 * - edited: the row's hash does not match its own fields (a changed field, or a row moved to another id);
 * - reordered or re-linked: the row is intact but does not chain onto the row before it.
 * Removing rows at the very end leaves a shorter chain that still checks out; the id of the next row the
 * daemon writes then jumps (ids come from SQLite's AUTOINCREMENT counter, which never goes back), and this
 * check reports the gap; someone who also rewinds that counter (sqlite_sequence) can cut the tail unseen.
 */
/** What the first row chains onto. */
export const GENESIS_HASH = '0'.repeat(64);

/** Who did what, when, from where: the fields an audit row holds as stored and as read alike. */
export interface AuditFields {
  id: number;
  at: string;
  user: string | null;
  role: string | null;
  client: string | null;
  action: string;
  target: string | null;
}

/** An audit row as stored. */
export interface ChainRow extends AuditFields {
  outcome: string;
  details_json: string | null;
  prev_hash: string;
  hash: string;
}

export type VerifyResult = { ok: true; rows: number } | { ok: false; rows: number; firstBadId: number; problem: 'removed' | 'edited' | 'reordered'; message: string };

export function verifyChain(rows: Iterable<ChainRow>, hashOf: (row: ChainRow) => string): VerifyResult {
  const check = new ChainCheck(hashOf);
  for (const row of rows) {
    const bad = check.next(row);
    if (bad) return bad;
  }
  return check.result();
}

/**
 * The same check fed one row at a time, so the chain can be walked in slices (AuditTrail.verifyInSlices):
 * `next` returns the failure at the first bad row, then the caller stops; `result` is the verdict after the last row.
 */
export class ChainCheck {
  readonly #hashOf: (row: ChainRow) => string;
  #prevHash = GENESIS_HASH;
  #expectedId = 1;
  #count = 0;

  constructor(hashOf: (row: ChainRow) => string) {
    this.#hashOf = hashOf;
  }

  next(row: ChainRow): VerifyResult | undefined {
    const count = ++this.#count;
    const expectedId = this.#expectedId;
    if (row.id !== expectedId) {
      const message =
        expectedId === row.id - 1
          ? `Audit row ${expectedId} was removed (row ${row.id} follows row ${expectedId - 1})`
          : `Audit rows ${expectedId} to ${row.id - 1} were removed (row ${row.id} follows ${expectedId === 1 ? 'the start' : `row ${expectedId - 1}`})`;
      return { ok: false, rows: count, firstBadId: expectedId, problem: 'removed', message };
    }
    if (this.#hashOf(row) !== row.hash) {
      return { ok: false, rows: count, firstBadId: row.id, problem: 'edited', message: `Audit row ${row.id} was edited (its hash does not match its fields)` };
    }
    if (row.prev_hash !== this.#prevHash) {
      return { ok: false, rows: count, firstBadId: row.id, problem: 'reordered', message: `Audit row ${row.id} does not follow row ${row.id - 1} (rows were reordered or replaced)` };
    }
    this.#prevHash = row.hash;
    this.#expectedId = row.id + 1;
    return undefined;
  }

  result(): VerifyResult {
    return { ok: true, rows: this.#count };
  }
}
