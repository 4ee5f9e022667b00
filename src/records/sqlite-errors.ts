import { ErrorCodes, SonoError } from '../errors.js';

/** better-sqlite3's SqliteError carries SQLite's extended result code as a string, e.g. SQLITE_IOERR_WRITE. */
function sqliteCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * A write that SQLite refused for want of room or because the storage failed, in words a person can act on;
 * undefined for any other error. SQLite rolled the transaction back: nothing half-written is kept, and what
 * was acknowledged before is untouched.
 */
export function storageErrorOf(err: unknown, file = 'the records database'): SonoError | undefined {
  const code = sqliteCodeOf(err);
  if (!code) return undefined;
  if (code === 'SQLITE_FULL') {
    return new SonoError(ErrorCodes.DISK_LOW, `The disk holding ${file} is full (${code}); this change was not saved, and nothing saved before was lost. Free space on the device, then try again`, {
      cause: err,
      details: { sqlite: code },
    });
  }
  if (isIoError(code)) {
    return new SonoError(ErrorCodes.DATABASE_FAILED, `The storage holding ${file} failed (${code}); this change was not saved. ${CHECK_DISK}`, { cause: err, details: { sqlite: code } });
  }
  return undefined;
}

const CHECK_DISK = 'Check the disk (run `sonoedge doctor`, look for I/O errors with `journalctl -k`), then restart the service; if it persists, restore the last backup onto a healthy disk';
const isIoError = (code: string): boolean => code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY');

/** An open that failed: an I/O error is said as one, never as "wrong key". */
export function openErrorOf(err: unknown, file: string, message: string): SonoError {
  const code = sqliteCodeOf(err);
  if (code === 'SQLITE_FULL')
    return new SonoError(ErrorCodes.DISK_LOW, `Cannot open records database ${file}: its disk is full (${code}). Free space on the device, then restart the service`, {
      cause: err,
      details: { sqlite: code },
    });
  if (code && isIoError(code))
    return new SonoError(ErrorCodes.DATABASE_FAILED, `Cannot open records database ${file}: the storage failed (${code}), the key is not at fault. ${CHECK_DISK}`, {
      cause: err,
      details: { sqlite: code },
    });
  return new SonoError(
    ErrorCodes.DATABASE_FAILED,
    `Cannot open records database ${file}: ${message} (wrong key, or not a sonoedge database). Check that the key file or credential is the one this database was made with, or restore both from a backup`,
    { cause: err },
  );
}
