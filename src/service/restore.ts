/**
 * `sonoedge restore`: checks a backup (manifest, SHA-256, the key opens it, integrity_check, a schema this
 * version knows) and puts it in place of the records database. Refused while any process holds the database
 * open (a running daemon): restoring under it would be overwritten or corrupt it. The database it replaces is
 * kept beside it, renamed, never deleted.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { MIGRATIONS } from '../records/migrations.js';
import { type BackupManifest, MANIFEST_FILE } from './backup.js';
import { RECORDS_FILE, fsyncPath, keyCheck, openRecordsFile, processesHolding, schemaVersion, sha256File, tableCounts } from './records-file.js';

const invalid = (message: string, cause?: unknown): SonoError => new SonoError(ErrorCodes.RESTORE_INVALID, message, { cause });

function readManifest(fromDir: string): BackupManifest {
  const file = join(fromDir, MANIFEST_FILE);
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  } catch (err) {
    throw invalid(`${file} cannot be read (${errorMessage(err)}): give the folder a backup made by \`sonoedge backup\` (sonoedge-backup-<time>); one without a manifest is incomplete`, err);
  }
  if (m.format !== 'sonoedge-backup' || m.version !== 1 || !Array.isArray(m.files))
    throw invalid(`${file} is not a sonoedge backup manifest (format ${String(m.format)}, version ${String(m.version)})`);
  return m;
}

/**
 * Checks a backup: its manifest, then `copy` (the backup's records.db already copied off the stick, so the
 * stick is only read) against the manifest's SHA-256, the key, integrity_check, the schema and the row counts.
 */
export function verifyBackup(fromDir: string, copy: string, key: string): BackupManifest {
  const m = readManifest(fromDir);
  const entry = m.files.find((f) => f.name === RECORDS_FILE);
  if (!entry) throw invalid(`The backup in ${fromDir} lists no ${RECORDS_FILE}`);
  const hash = sha256File(copy);
  if (hash !== entry.sha256)
    throw invalid(`${join(fromDir, RECORDS_FILE)} has SHA-256 ${hash.slice(0, 16)}…, the manifest says ${entry.sha256.slice(0, 16)}…: the copy was damaged or changed; use another backup`);
  if (m.keyCheck !== keyCheck(key)) throw invalid(`The backup in ${fromDir} was made with another records key than the one given; give that key with --key-file`);
  const db = openRecordsFile(copy, key, ErrorCodes.RESTORE_INVALID);
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw invalid(`integrity_check of the backup in ${fromDir} says: ${String(check)}; use another backup`);
    const version = schemaVersion(db);
    const known = Math.max(...MIGRATIONS.map((x) => x.version));
    if (version > known) throw invalid(`The backup has records schema ${version}, newer than this sonoedge knows (${known}); restore it with the version that made it (${m.software}) or newer`);
    const counts = tableCounts(db);
    for (const [table, n] of Object.entries(m.counts)) {
      if (counts[table] !== n) throw invalid(`Table ${table} holds ${String(counts[table])} rows, the manifest says ${n}; use another backup`);
    }
  } finally {
    db.close();
  }
  return m;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** The database the backup replaced, kept under this name; undefined when there was none. */
  previous: string | undefined;
  target: string;
}

/**
 * Restores the backup in `fromDir` into `dataDir`: copied in beside the database, checked there, then swapped in. `writeKey`: the data folder has no key yet (a new board)
 * and no credential holds it: the key is written to <dataDir>/keys/records.key so the daemon opens the database.
 */
export function restoreRecords(options: { fromDir: string; dataDir: string; key: string; writeKey?: boolean; now?: Date }): RestoreResult {
  const target = join(options.dataDir, RECORDS_FILE);
  const holders = processesHolding(target);
  if (holders.length > 0) {
    throw new SonoError(ErrorCodes.RESTORE_REFUSED, `${target} is open in process ${holders.join(', ')} (a running daemon?); stop it first (systemctl stop sonoedge), restore, then start it again`, {
      details: { pids: holders },
    });
  }
  readManifest(options.fromDir); // a folder that is no backup is told so before anything is copied
  const source = join(options.fromDir, RECORDS_FILE);
  if (!existsSync(source)) throw invalid(`${source} is missing: the backup is incomplete`);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const incoming = `${target}.restoring`;
  let manifest: BackupManifest;
  try {
    copyFileSync(source, incoming);
    fsyncPath(incoming);
    manifest = verifyBackup(options.fromDir, incoming, options.key);
  } catch (err) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(incoming + suffix, { force: true });
    if (err instanceof SonoError) throw err;
    throw new SonoError(ErrorCodes.RESTORE_REFUSED, `Copying the backup into ${options.dataDir} failed: ${errorMessage(err)}; nothing was changed`, { cause: err });
  }
  let previous: string | undefined;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${(options.now ?? new Date())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`;
    // the WAL holds committed transactions not yet in the main file: it moves with it, under the matching name
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, previous + suffix);
  }
  renameSync(incoming, target);
  fsyncPath(dirname(target));
  if (options.writeKey) {
    mkdirSync(join(options.dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(join(options.dataDir, 'keys', 'records.key'), options.key + '\n', { mode: 0o600, flag: 'wx' });
  }
  return { manifest, previous, target };
}
