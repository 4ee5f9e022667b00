/**
 * What restore checks before it changes anything: which device secret the restored records need (the
 * backup's, or for a version 1 backup one that keys its audit chain), and whether the database it would set
 * aside holds anything the backup does not (exams, or audit rows past where the two chains part): that is
 * refused unless the user says --replace-newer.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { BackupManifest } from './backup.js';
import { type SecretSource, openSealedSecret, secretKeysChain } from './backup-secret.js';
import { type RecordsDb, latestOf, openRecordsFile } from './records-file.js';

export interface ChosenSecret {
  secret: string;
  /** backup: sealed in the backup; given: --device-secret-file; kept: this box's own; created: none was needed, a new one. */
  source: 'backup' | 'given' | 'kept' | 'created';
}

/**
 * The device secret the restored records need. A version 2 backup carries its own (it wins over this box's).
 * A version 1 backup does not: the one given (--device-secret-file), else this box's, must key the backup's
 * audit chain; when neither does, the restore is refused, since the accounts could not sign in.
 */
export function chooseSecret(o: { fromDir: string; manifest: BackupManifest; copy: RecordsDb; key: string; given?: string; current?: SecretSource }): ChosenSecret {
  if (o.manifest.deviceSecret) {
    const sealed = readFileSync(join(o.fromDir, o.manifest.deviceSecret), 'utf8');
    return { secret: openSealedSecret(sealed, o.key, ErrorCodes.RESTORE_INVALID), source: 'backup' };
  }
  const candidate = o.given !== undefined ? { secret: o.given, source: 'given' as const } : o.current ? { secret: o.current.secret, source: 'kept' as const } : undefined;
  if (secretKeysChain(o.copy, candidate?.secret)) return candidate ?? { secret: randomBytes(32).toString('hex'), source: 'created' };
  const tried =
    o.given !== undefined
      ? 'the device secret given with --device-secret-file does not'
      : o.current
        ? `this box's device secret (${o.current.from}) does not`
        : 'this box has no device secret that could';
  const made =
    o.manifest.version === 1
      ? 'was made by an older sonoedge that did not keep the device secret'
      : `does not hold the device secret (${o.manifest.deviceSecretWarning ?? 'the box that made it had none'})`;
  throw new SonoError(
    ErrorCodes.RESTORE_REFUSED,
    `The backup in ${o.fromDir} ${made}, and ${tried} match it: restored, nobody could sign in and the audit trail would read as tampered. ` +
      `Copy keys/device.secret from the box that made the backup (or, where it is a credential there: systemd-creds decrypt --name=sonoedge-device-secret /etc/credstore.encrypted/sonoedge-device-secret FILE) and restore again with --device-secret-file FILE. Nothing was changed`,
    { details: { reason: 'device-secret-needed', backupVersion: o.manifest.version } },
  );
}

export interface NewerData {
  /** Exams in the current database that the backup does not hold. */
  exams: number;
  /** Audit rows in the current chain past where it and the backup's part ways, other than system.backup and system.restore rows (they record copies, not data; a backup adds one itself). */
  auditRows: number;
  newestExamAt: string | null;
  /** Set (with --replace-newer) when the current database could not be read, so nothing was compared: why. */
  unreadable?: string;
}

const hasTable = (db: RecordsDb, name: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** The last audit row id the two chains share (same hash; a chain's rows before it are then the same too); 0 when none. */
function sharedAuditId(now: RecordsDb, backup: RecordsDb, nowLast: number, backupLast: number): number {
  const at = (db: RecordsDb): ((id: number) => string | undefined) => {
    const q = db.prepare('SELECT hash FROM audit WHERE id = ?');
    return (id) => (q.get(id) as { hash: string } | undefined)?.hash;
  };
  const [a, b] = [at(now), at(backup)];
  let lo = 0;
  let hi = Math.min(nowLast, backupLast);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const h = a(mid);
    if (h !== undefined && h === b(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What the open database `db` holds that the backup (`copy`) does not; throws when a page cannot be read. */
function inspectNewer(db: RecordsDb, copy: RecordsDb): NewerData {
  const now = latestOf(db);
  let exams = 0;
  if (now.examCreatedAt !== null) {
    const held = new Set(hasTable(copy, 'exams') ? (copy.prepare('SELECT id FROM exams').pluck().all() as string[]) : []);
    for (const id of db.prepare('SELECT id FROM exams').pluck().iterate() as IterableIterator<string>) if (!held.has(id)) exams++;
  }
  let auditRows = 0;
  if (now.auditId > 0) {
    const backupLast = hasTable(copy, 'audit') ? latestOf(copy).auditId : 0;
    const shared = sharedAuditId(db, copy, now.auditId, backupLast);
    auditRows = (db.prepare("SELECT count(*) n FROM audit WHERE id > ? AND action NOT IN ('system.backup', 'system.restore')").get(shared) as { n: number }).n;
  }
  return { exams, auditRows, newestExamAt: now.examCreatedAt };
}

/**
 * What the database at `target` holds that the backup (`copy`, opened) does not. Undefined when there is no
 * database. When it cannot be opened or any of it cannot be read (a damaged page: the usual reason to restore),
 * nothing can be compared: RESTORE_REFUSED (reason newer-data-unknown), or, when `replaceAnyway`, `unreadable` says why.
 */
export function newerThanBackup(target: string, key: string, copy: RecordsDb, replaceAnyway: boolean): NewerData | undefined {
  if (!existsSync(target)) return undefined;
  try {
    const db = openRecordsFile(target, key, ErrorCodes.RESTORE_REFUSED);
    try {
      return inspectNewer(db, copy);
    } finally {
      db.close();
    }
  } catch (err) {
    if (replaceAnyway) return { exams: 0, auditRows: 0, newestExamAt: null, unreadable: errorMessage(err) };
    throw new SonoError(
      ErrorCodes.RESTORE_REFUSED,
      `The current database ${target} cannot be read (${errorMessage(err)}: damaged?), so it cannot be compared with the backup for newer exams or audit rows. ` +
        'If it is to be replaced, restore again with --replace-newer: it is set aside (kept, renamed), not deleted. Nothing was changed',
      { cause: err, details: { reason: 'newer-data-unknown' } },
    );
  }
}

/** The refusal when the database being replaced holds newer data, listing it. */
export function newerDataRefusal(target: string, previous: string, newer: NewerData, createdAt: string): SonoError {
  const parts: string[] = [];
  if (newer.exams > 0) parts.push(`${newer.exams} exam${newer.exams === 1 ? '' : 's'} the backup does not hold (the newest created ${newer.newestExamAt})`);
  if (newer.auditRows > 0) parts.push(`${newer.auditRows} audit row${newer.auditRows === 1 ? '' : 's'} the backup does not hold`);
  return new SonoError(
    ErrorCodes.RESTORE_REFUSED,
    `${target} holds data newer than the backup of ${createdAt}: ${parts.join(' and ')}. Restoring would set them aside as ${previous} (kept, but no longer in use). ` +
      'Take a backup of the current records first (sonoedge backup --to DIR), then restore again with --replace-newer if they are to be replaced. Nothing was changed',
    { details: { reason: 'newer-data', exams: newer.exams, auditRows: newer.auditRows, setAsideAs: previous } },
  );
}

/**
 * The refusal when a restore would write the records key in clear (keys/records.key) on a box that keeps it as
 * the unit's encrypted credential `credFile` (scripts/install.sh): the daemon reads the credential, never that
 * file, so the file would only be the key left readable on disk, and a key given that differs from the
 * credential would leave records the daemon cannot open. Checked before anything is changed.
 */
export function keyCredentialRefusal(credFile: string, dataDir: string, fromDir: string): SonoError {
  const secretCred = join(dirname(credFile), 'sonoedge-device-secret');
  return new SonoError(
    ErrorCodes.RESTORE_REFUSED,
    `This box keeps its records key as the encrypted credential ${credFile}, which was not loaded into this command: restoring here would write the key in clear into ${join(dataDir, 'keys', 'records.key')}, which the daemon does not read. Nothing was changed. ` +
      `Run the restore with the unit's credentials: systemd-run --pipe --wait -p LoadCredentialEncrypted=sonoedge-db-key:${credFile} -p LoadCredentialEncrypted=sonoedge-device-secret:${secretCred} sonoedge restore ${fromDir} (--key-file FILE must then hold the same key as the credential). ` +
      `A backup made with another records key: put that key into the credential first (systemd-creds encrypt --name=sonoedge-db-key FILE ${credFile}), then restore with the credentials`,
    { details: { reason: 'key-credential-not-loaded', credential: credFile } },
  );
}
