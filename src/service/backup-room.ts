/**
 * Room on the backup target (a USB stick): a copy that cannot fit is refused before anything is written, and a
 * copy that meets a full disk anyway (the stick filled meanwhile, or the estimate was short) is said as such.
 * Both are SONO_BACKUP_TARGET_FULL (HTTP 507), not a 500.
 */
import { statfsSync } from 'node:fs';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { RecordsDb } from './records-file.js';

/** The manifest and the sealed device secret beside the copy, with room to spare. */
const EXTRA_BYTES = 64 * 1024;

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** What VACUUM INTO writes: the pages in use (free pages are left out), plus the files beside it. */
export function backupBytesNeeded(db: RecordsDb): number {
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const pages = Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
  return pages * pageSize + EXTRA_BYTES;
}

/** Refuses (SONO_BACKUP_TARGET_FULL) when `toDir`'s filesystem has fewer free bytes than the backup needs. */
export function assertRoomFor(needBytes: number, toDir: string): void {
  const s = statfsSync(toDir);
  const free = s.bavail * s.bsize;
  if (free >= needBytes) return;
  throw new SonoError(
    ErrorCodes.BACKUP_TARGET_FULL,
    `${toDir} has ${mb(free)} free, the backup needs about ${mb(needBytes)}: nothing was written. Free room on the stick (or use a bigger one), then write the backup again`,
    { details: { freeBytes: free, neededBytes: needBytes } },
  );
}

/** A copy that failed for want of room (SQLITE_FULL, ENOSPC, EDQUOT) as SONO_BACKUP_TARGET_FULL; undefined for any other error. */
export function targetFullError(err: unknown, toDir: string): SonoError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'SQLITE_FULL' && code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  return new SonoError(
    ErrorCodes.BACKUP_TARGET_FULL,
    `${toDir} ran out of room while the backup was written (${errorMessage(err)}); the partial copy was removed. Free room on the stick (or use a bigger one), then write the backup again`,
    { cause: err, details: { reason: String(code) } },
  );
}
