/**
 * `sonoedge restore`: checks a backup (manifest, SHA-256, the key opens it, integrity_check, a schema this
 * version knows) and puts it in place of the records database, with the device secret the records need.
 * Refused while any process holds the database open (a running daemon): restoring under it would be
 * overwritten or corrupt it; refused when the database it would replace holds newer exams or audit rows,
 * unless replaceNewer. The database and device secret it replaces are kept beside them, renamed, never
 * deleted. The restored audit chain gets a system.restore row, so it verifies and shows the restore.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AuditTrail } from '../audit/audit-trail.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { MIGRATIONS } from '../records/migrations.js';
import { type BackupManifest, MANIFEST_FILE } from './backup.js';
import { DEVICE_SECRET_CREDENTIAL, type SecretSource, deviceSecretPath, findDeviceSecret, writeSecretAtomically } from './backup-secret.js';
import { RECORDS_FILE, fsyncPath, keyCheck, openRecordsFile, processesHolding, schemaVersion, sha256File, tableCounts } from './records-file.js';
import { type ChosenSecret, type NewerData, chooseSecret, keyCredentialRefusal, newerDataRefusal, newerThanBackup } from './restore-guards.js';

const invalid = (message: string, cause?: unknown): SonoError => new SonoError(ErrorCodes.RESTORE_INVALID, message, { cause });

function readManifest(fromDir: string): BackupManifest {
  const file = join(fromDir, MANIFEST_FILE);
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  } catch (err) {
    throw invalid(`${file} cannot be read (${errorMessage(err)}): give the folder a backup made by \`sonoedge backup\` (sonoedge-backup-<time>); one without a manifest is incomplete`, err);
  }
  if (m.format !== 'sonoedge-backup' || (m.version !== 1 && m.version !== 2) || !Array.isArray(m.files))
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
  for (const other of m.files.filter((f) => f.name !== RECORDS_FILE)) {
    const file = join(fromDir, basename(other.name));
    if (!existsSync(file) || sha256File(file) !== other.sha256)
      throw invalid(`${file} is missing or does not match its SHA-256 in the manifest: the backup was damaged or changed; use another backup`);
  }
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
  /** The device secret now in use: where it came from, and what became of the one it replaced. */
  secret: {
    source: ChosenSecret['source'];
    /** Written to keys/device.secret in the data folder. */
    written: boolean;
    setAside: string | undefined;
    credentialDiffers: boolean;
    /** The box keeps its device secret as this systemd credential (it exists, or the command runs with it loaded). */
    credstore: string | undefined;
    /** On such a box, the secret the credential must now hold, written 0600 here, outside the data folder (the daemon would ignore keys/device.secret). */
    pending: string | undefined;
  };
  /** What the replaced database held that the backup does not, or that it could not be read (replaceNewer); undefined when nothing or no database. */
  newer: NewerData | undefined;
  /** The system.restore audit row's id in the restored chain; undefined for a backup without an audit table. */
  auditRow: number | undefined;
}

export interface RestoreOptions {
  fromDir: string;
  dataDir: string;
  key: string;
  /**
   * The data folder has no key yet (a new board) and no loaded credential holds it: write keys/records.key.
   * Refused (nothing changed) on a box whose unit keeps the key as an encrypted credential (SONOEDGE_CREDSTORE_DIR).
   */
  writeKey?: boolean;
  /** --device-secret-file: the old box's device secret, for a version 1 backup (which does not carry it). */
  deviceSecret?: string;
  /** Set aside a database holding exams or audit rows newer than the backup instead of refusing. */
  replaceNewer?: boolean;
  /** Added to the system.restore audit row's details (who ran it). */
  actor?: Record<string, unknown>;
  now?: Date;
  /** CREDENTIALS_DIRECTORY (the unit's credentials, when loaded) and SONOEDGE_CREDSTORE_DIR (where the unit loads them from; default /etc/credstore.encrypted). */
  env?: NodeJS.ProcessEnv;
}

/** Where systemd/sonoedge.service loads its encrypted credentials from (scripts/install.sh writes them). */
export const CREDSTORE_DIR = '/etc/credstore.encrypted';

/** This box's device secret; a torn or unreadable one counts as none (a backup's secret replaces it, kept aside). */
function ownSecret(dataDir: string, env: NodeJS.ProcessEnv | undefined): SecretSource | undefined {
  try {
    return findDeviceSecret(dataDir, ErrorCodes.RESTORE_INVALID, env);
  } catch {
    return undefined;
  }
}

/**
 * Puts the secret the restored records need where the daemon will read it. A box that keeps it as a systemd
 * credential ignores keys/device.secret: there it is not written in clear into the data folder (nor backed up
 * with it) but, unless the loaded credential already holds it, 0600 beside the data folder, to be encrypted.
 */
function placeSecret(options: RestoreOptions, current: SecretSource | undefined, secret: string, stamp: string): Omit<RestoreResult['secret'], 'source' | 'credentialDiffers'> {
  const env = options.env ?? process.env;
  const credFile = join(env.SONOEDGE_CREDSTORE_DIR || CREDSTORE_DIR, DEVICE_SECRET_CREDENTIAL);
  if (current?.credential === true || existsSync(credFile)) {
    const held = current?.credential === true && current.secret === secret;
    const pending = held ? undefined : `${resolve(options.dataDir)}.device-secret-${stamp}`;
    if (pending) writeSecretAtomically(pending, secret);
    return { written: false, setAside: undefined, credstore: credFile, pending };
  }
  const secretFile = deviceSecretPath(options.dataDir);
  const fileSecret = existsSync(secretFile) ? readFileSync(secretFile, 'utf8').trim() : undefined;
  const written = fileSecret !== secret;
  const setAside = written && fileSecret !== undefined ? `${secretFile}.before-restore-${stamp}` : undefined;
  if (written) writeSecretAtomically(secretFile, secret, setAside);
  return { written, setAside, credstore: undefined, pending: undefined };
}

const stampOf = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** Restores the backup in `fromDir` into `dataDir`: copied in beside the database, checked there, then swapped in with its device secret. */
export function restoreRecords(options: RestoreOptions): RestoreResult {
  const target = join(options.dataDir, RECORDS_FILE);
  const holders = processesHolding(target);
  if (holders.length > 0) {
    throw new SonoError(ErrorCodes.RESTORE_REFUSED, `${target} is open in process ${holders.join(', ')} (a running daemon?); stop it first (systemctl stop sonoedge), restore, then start it again`, {
      details: { pids: holders },
    });
  }
  readManifest(options.fromDir); // a folder that is no backup is told so before anything is copied
  const env = options.env ?? process.env;
  const keyCred = join(env.SONOEDGE_CREDSTORE_DIR || CREDSTORE_DIR, 'sonoedge-db-key');
  if (options.writeKey && existsSync(keyCred)) throw keyCredentialRefusal(keyCred, options.dataDir, options.fromDir);
  const source = join(options.fromDir, RECORDS_FILE);
  if (!existsSync(source)) throw invalid(`${source} is missing: the backup is incomplete`);
  const current = ownSecret(options.dataDir, options.env);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const incoming = `${target}.restoring`;
  const stamp = stampOf(options.now ?? new Date());
  const previous = existsSync(target) ? `${target}.before-restore-${stamp}` : undefined;
  let manifest: BackupManifest;
  let chosen: ChosenSecret;
  let newer: NewerData | undefined;
  let auditRow: number | undefined;
  try {
    copyFileSync(source, incoming);
    fsyncPath(incoming);
    manifest = verifyBackup(options.fromDir, incoming, options.key);
    const copy = openRecordsFile(incoming, options.key, ErrorCodes.RESTORE_INVALID);
    try {
      chosen = chooseSecret({ fromDir: options.fromDir, manifest, copy, key: options.key, given: options.deviceSecret, current });
      if (previous) {
        const found = newerThanBackup(target, options.key, copy, options.replaceNewer === true);
        newer = found && (found.exams > 0 || found.auditRows > 0 || found.unreadable !== undefined) ? found : undefined;
        if (newer && !options.replaceNewer) throw newerDataRefusal(target, previous, newer, manifest.createdAt);
      }
      if (copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").get()) {
        const details = {
          backup: basename(options.fromDir),
          backupCreatedAt: manifest.createdAt,
          setAside: previous ? basename(previous) : null,
          newer: newer ?? null,
          deviceSecret: chosen.source,
          ...options.actor,
        };
        auditRow = new AuditTrail(copy, chosen.secret).record({ client: 'cli', action: 'system.restore', target: options.fromDir, outcome: 'ok', details }).id;
      }
    } finally {
      copy.close();
    }
    fsyncPath(incoming);
  } catch (err) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(incoming + suffix, { force: true });
    if (err instanceof SonoError) throw err;
    throw new SonoError(ErrorCodes.RESTORE_REFUSED, `Copying the backup into ${options.dataDir} failed: ${errorMessage(err)}; nothing was changed`, { cause: err });
  }
  if (previous) {
    // the WAL holds committed transactions not yet in the main file: it moves with it, under the matching name
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, previous + suffix);
  }
  renameSync(incoming, target);
  fsyncPath(dirname(target));
  // right after the swap: the restored chain and sign-ins need this secret, the set-aside database the one kept beside it
  const placed = placeSecret(options, current, chosen.secret, stamp);
  if (options.writeKey) {
    mkdirSync(join(options.dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(join(options.dataDir, 'keys', 'records.key'), options.key + '\n', { mode: 0o600, flag: 'wx' });
  }
  const secret = { source: chosen.source, ...placed, credentialDiffers: current?.credential === true && current.secret !== chosen.secret };
  return { manifest, previous, target, secret, newer, auditRow };
}
