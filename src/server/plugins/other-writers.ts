/**
 * Notices writes another process made to the records database (`sonoedge tokens revoke`, `users disable` run
 * from a shell): SQLite's `PRAGMA data_version` changes only when another connection committed, so polling it
 * is one cheap read. The live plugin uses it to re-check its open views at once rather than at its 30 s check.
 */
import type { Db } from '../../records/database.js';

/** How often the records database is asked whether another process wrote to it. */
export const OTHER_WRITERS_POLL_MS = 1000;

/**
 * Calls `changed` (at most once per poll) after another connection committed to `db`; `active()` false skips
 * the poll (nobody to tell). Returns the stop function. A closed database stops the polling quietly.
 */
export function watchOtherWriters(db: Db, changed: () => void, active: () => boolean, everyMs = OTHER_WRITERS_POLL_MS): () => void {
  const version = (): number | undefined => {
    try {
      return Number(db.pragma('data_version', { simple: true }));
    } catch {
      return undefined; // closed at shutdown
    }
  };
  let last = version();
  const timer = setInterval(() => {
    if (!active()) return;
    const now = version();
    if (now === undefined) return clearInterval(timer);
    if (now !== last) {
      last = now;
      changed();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
