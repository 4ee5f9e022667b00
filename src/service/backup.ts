/**
 * `sonoedge backup`: an encrypted, consistent copy of the records while the daemon runs.
 *
 * SQLite's backup API (better-sqlite3's db.backup()) cannot do it here: it opens the target without a key, and
 * SQLite3MultipleCiphers refuses to copy an encrypted database into a plain one ("backup is not supported with
 * incompatible source and target databases"; URI filenames, which could carry the key, are off in this build).
 * `VACUUM INTO` is SQLite's other online backup: it reads one snapshot in a single read transaction (a WAL
 * reader: the daemon keeps writing meanwhile, and unlike the backup API it never restarts because of those
 * writes) and SQLite3MultipleCiphers writes the copy encrypted with the same cipher and key. The copy is
 * checked (opens with the key, integrity_check, same rows as the snapshot) and fsynced before the manifest,
 * written last, says it is complete.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { assertRoomFor, backupBytesNeeded, targetFullError } from './backup-room.js';
import { type BackupSecret, DEVICE_SECRET_FILE, DEVICE_SECRET_HINT, findSecretForBackup, sealDeviceSecret } from './backup-secret.js';
import { RECORDS_FILE, type RecordsLatest, fsyncPath, keyCheck, latestOf, openRecordsFile, schemaVersion, sha256File, tableCounts } from './records-file.js';

export const MANIFEST_FILE = 'manifest.json';

/** The manifest version written now; restore also reads version 1 (records.db only, no device secret). */
export const MANIFEST_VERSION = 2;

export interface BackupManifest {
  format: 'sonoedge-backup';
  /** 1: records.db only (sonoedge up to this change); 2: also the device secret, sealed, and `latest`. */
  version: 1 | 2;
  createdAt: string;
  software: string;
  schemaVersion: number;
  /** The copy is encrypted with the records key; this tells which key without revealing it. */
  cipher: 'sqlcipher-4';
  keyCheck: string;
  files: Array<{ name: string; bytes: number; sha256: string }>;
  /** Rows per table in the copy. */
  counts: Record<string, number>;
  /** Version 2: the file holding the device secret sealed under the records key (src/service/backup-secret.ts); null when the device had none yet. */
  deviceSecret?: string | null;
  /** Version 2, only when deviceSecret is null because the box's secret was present but unreadable (torn): what that means for a restore. */
  deviceSecretWarning?: string;
  /** Version 2: the newest exam and audit row in the copy. */
  latest?: RecordsLatest;
}

export interface BackupResult {
  dir: string;
  manifest: BackupManifest;
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Writes `<toDir>/sonoedge-backup-<UTC time>/` holding records.db (encrypted), device-secret.enc (the device
 * secret sealed under the records key) and manifest.json. `deviceSecret`: found in the data folder or the
 * unit's credential when not given; a database that holds accounts or audit rows is not backed up without it,
 * unless one is there but unreadable (torn): then it is written without it, the manifest's deviceSecretWarning says so.
 */
export function backupRecords(options: {
  dataDir: string;
  key: string;
  toDir: string;
  software: string;
  now?: Date;
  /** The device secret (found by the caller), or why the one present is unreadable: the backup is then written without it. */
  deviceSecret?: BackupSecret;
  /** false: no free-space check before the copy (a test of a copy that meets a full disk). */
  checkRoom?: boolean;
}): BackupResult {
  const source = join(options.dataDir, RECORDS_FILE);
  const created = options.now ?? new Date();
  const dir = join(options.toDir, `sonoedge-backup-${stamp(created)}`);
  const partial = join(dir, `${RECORDS_FILE}.partial`);
  // The target folder must exist: an unmounted USB stick must not turn into a folder on the internal disk.
  if (!existsSync(options.toDir)) throw new SonoError(ErrorCodes.BACKUP_FAILED, `Backup target ${options.toDir} does not exist; mount the USB stick or create the folder first`);
  const found = options.deviceSecret ?? findSecretForBackup(options.dataDir);
  const secret = found.found?.secret;
  const db = openRecordsFile(source, options.key, ErrorCodes.BACKUP_FAILED);
  try {
    if (options.checkRoom !== false) assertRoomFor(backupBytesNeeded(db), options.toDir);
    mkdirSync(dir, { recursive: false, mode: 0o700 });
  } catch (err) {
    db.close();
    if (err instanceof SonoError) throw err;
    throw new SonoError(ErrorCodes.BACKUP_FAILED, `Cannot create the backup folder ${dir}: ${errorMessage(err)}; give --to a writable folder (a mounted USB stick)`, { cause: err });
  }
  try {
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (err) {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    throw targetFullError(err, options.toDir) ?? new SonoError(ErrorCodes.BACKUP_FAILED, `Copying ${source} to ${dir} failed: ${errorMessage(err)} (is there room on the target?)`, { cause: err });
  }
  db.close();
  try {
    const copy = openRecordsFile(partial, options.key, ErrorCodes.BACKUP_FAILED);
    let counts: Record<string, number>;
    let version: number;
    let latest: RecordsLatest;
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`integrity_check of the copy says: ${String(check)}`);
      counts = tableCounts(copy);
      version = schemaVersion(copy);
      latest = latestOf(copy);
    } finally {
      copy.close();
    }
    if (secret === undefined && found.unreadable === undefined && ((counts.users ?? 0) > 0 || (counts.audit ?? 0) > 0)) {
      throw new SonoError(
        ErrorCodes.BACKUP_FAILED,
        `No device secret found for ${options.dataDir} (no credential sonoedge-device-secret, no keys/device.secret): without it the restored accounts could not sign in and the audit trail would not verify, so no backup was written; ${DEVICE_SECRET_HINT}`,
      );
    }
    fsyncPath(partial);
    const final = join(dir, RECORDS_FILE);
    renameSync(partial, final);
    const files = [{ name: RECORDS_FILE, bytes: statSync(final).size, sha256: sha256File(final) }];
    if (secret !== undefined) {
      const sealed = sealDeviceSecret(secret, options.key);
      const file = join(dir, DEVICE_SECRET_FILE);
      writeFileSync(file, sealed, { mode: 0o600 });
      fsyncPath(file);
      files.push({ name: DEVICE_SECRET_FILE, bytes: Buffer.byteLength(sealed), sha256: createHash('sha256').update(sealed).digest('hex') });
    }
    const manifest: BackupManifest = {
      format: 'sonoedge-backup',
      version: MANIFEST_VERSION,
      createdAt: created.toISOString(),
      software: options.software,
      schemaVersion: version,
      cipher: 'sqlcipher-4',
      keyCheck: keyCheck(options.key),
      files,
      counts,
      deviceSecret: secret === undefined ? null : DEVICE_SECRET_FILE,
      ...(secret === undefined && found.unreadable !== undefined ? { deviceSecretWarning: found.unreadable } : {}),
      latest,
    };
    const m = join(dir, MANIFEST_FILE);
    writeFileSync(m, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    fsyncPath(m);
    fsyncPath(dir);
    return { dir, manifest };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err instanceof SonoError
      ? err
      : (targetFullError(err, options.toDir) ?? new SonoError(ErrorCodes.BACKUP_FAILED, `The backup in ${dir} failed its check and was removed: ${errorMessage(err)}`, { cause: err }));
  }
}
