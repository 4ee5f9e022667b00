/**
 * Files the daemon writes hold patient data or keys: owner-only (0600), whatever the umask.
 * SQLite creates records.db, -wal and -shm itself with 0644 & ~umask, so the daemon narrows the umask before
 * opening the database and tightens the modes of files already there (created by an older version).
 */
import { chmodSync, existsSync } from 'node:fs';

/** Makes every file the process creates from now on owner-only (umask 077). Call once, first thing in `serve` and in the CLI. */
export function restrictNewFiles(): void {
  process.umask(0o077);
}

/** Sets each existing file to 0600 (missing ones are skipped): the database and its WAL, calibration.json. */
export function makeOwnerOnly(files: string[]): void {
  for (const file of files) if (existsSync(file)) chmodSync(file, 0o600);
}

/** The records database and the files SQLite keeps beside it. */
export function databaseFiles(dbFile: string): string[] {
  return [dbFile, `${dbFile}-wal`, `${dbFile}-shm`];
}
