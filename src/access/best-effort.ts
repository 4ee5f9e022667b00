/**
 * A bookkeeping write beside a credential check (a token's last use, a session's last activity) that must not
 * decide the check. On a full or failing disk SQLite refuses it (SQLITE_FULL, SQLITE_IOERR…); refusing the
 * request for that (review: every signed-in request, /api/health included, answered 507 on a full disk, so a
 * technician could not even read why) would turn a missed note into a locked-out device. Only storage errors
 * are swallowed; anything else still throws.
 */
import { storageErrorOf } from '../records/sqlite-errors.js';

/** Runs `write`; false when the storage refused it (the caller goes on without the note). */
export function bestEffortWrite(write: () => void): boolean {
  try {
    write();
    return true;
  } catch (err) {
    if (storageErrorOf(err)) return false;
    throw err;
  }
}
