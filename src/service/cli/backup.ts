import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditTrail, type AuditEvent } from '../../audit/audit-trail.js';
import { type LoadedConfig, loadConfig } from '../../config/load.js';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { refuseRootOnForeignDataDir } from '../../util/data-owner.js';
import { packageRoot } from '../../util/package-root.js';
import { type BackupResult, backupRecords } from '../backup.js';
import { DEVICE_SECRET_HINT, findSecretForBackup } from '../backup-secret.js';
import { RECORDS_FILE, findRecordsKey, openRecordsFile } from '../records-file.js';

/** What a service command needs from the composition root: where the data folder of a config is. */
export type DataDirOf = (loaded: LoadedConfig) => string;

export const DATA_OPTIONS = { config: { type: 'string' }, 'data-dir': { type: 'string' }, 'key-file': { type: 'string' } } as const;

export function dataDirFrom(values: { config?: string; 'data-dir'?: string }, dataDirOf: DataDirOf): string {
  const overrides: Array<[string[], unknown]> = values['data-dir'] !== undefined ? [[['dataDir'], resolve(values['data-dir'])]] : [];
  return dataDirOf(loadConfig(values.config, { overrides }));
}

export const BACKUP_USAGE = 'sonoedge backup --to DIR [--config FILE] [--data-dir DIR] [--key-file FILE]';

/** Who ran a service command, for its audit row: the CLI runs on the device, as a local account. */
export function cliActor(): { osUser: string } {
  try {
    return { osUser: userInfo().username };
  } catch {
    return { osUser: 'unknown' }; // no passwd entry (some containers)
  }
}

/** Appends one row to the records' audit chain, as the daemon's audit writer (AuditTrail.record) does, beside a running daemon. */
function auditBackup(dataDir: string, key: string, secret: string, event: Omit<AuditEvent, 'action' | 'client'>): void {
  const db = openRecordsFile(join(dataDir, RECORDS_FILE), key, ErrorCodes.BACKUP_FAILED);
  try {
    new AuditTrail(db, secret).record({ ...event, client: 'cli', action: 'system.backup' });
  } finally {
    db.close();
  }
}

/** `sonoedge backup --to DIR`: prints the backup folder it wrote; safe while the daemon runs. Audited (system.backup), as the System page's backup. */
export async function runBackup(argv: string[], dataDirOf: DataDirOf): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { to: { type: 'string' }, ...DATA_OPTIONS } });
  if (!values.to) {
    process.stderr.write(`sonoedge: backup needs --to DIR (a folder on another disk, e.g. a mounted USB stick)\n  ${BACKUP_USAGE}\n`);
    return 2;
  }
  const dataDir = dataDirFrom(values, dataDirOf);
  refuseRootOnForeignDataDir(dataDir); // its audit row is written into records.db
  const found = findRecordsKey(dataDir, { keyFile: values['key-file'], code: ErrorCodes.BACKUP_FAILED });
  if (!found) throw new SonoError(ErrorCodes.BACKUP_FAILED, `No records key found for ${dataDir} (no credential, no keys/records.key): give --key-file FILE, or ${DEVICE_SECRET_HINT}`);
  const software = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const toDir = resolve(values.to);
  const lookup = findSecretForBackup(dataDir);
  const secret = lookup.found;
  let result: BackupResult;
  try {
    result = backupRecords({ dataDir, key: found.key, toDir, software, deviceSecret: lookup });
  } catch (err) {
    if (secret) {
      try {
        auditBackup(dataDir, found.key, secret.secret, { target: toDir, outcome: 'failed', details: { code: (err as { code?: string }).code ?? null, ...cliActor() } });
      } catch {
        // the backup's own error is the one to report
      }
    }
    throw err;
  }
  const { dir, manifest } = result;
  const file = manifest.files[0]!;
  if (secret) {
    try {
      auditBackup(dataDir, found.key, secret.secret, { target: toDir, outcome: 'ok', details: { dir, bytes: file.bytes, exams: manifest.counts.exams ?? 0, ...cliActor() } });
    } catch (err) {
      throw new SonoError(ErrorCodes.BACKUP_FAILED, `The backup in ${dir} is complete, but its audit row could not be written: ${errorMessage(err)}; run the backup again`, { cause: err });
    }
  }
  const rows = Object.entries(manifest.counts)
    .filter(([t]) => ['exams', 'captures', 'measurements'].includes(t))
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  process.stdout.write(`${dir}\n`);
  const held = manifest.deviceSecret ? ' and the device secret (for sign-ins and the audit trail)' : '';
  process.stderr.write(
    `sonoedge: backup written to ${dir} (${rows}${held}; ${file.bytes} bytes, encrypted with the records key, SHA-256 ${file.sha256.slice(0, 16)}…). Keep the key too: the backup cannot be read without it\n`,
  );
  if (manifest.deviceSecretWarning) {
    process.stderr.write(`sonoedge: WARNING: ${manifest.deviceSecretWarning}. Without the device secret no audit row can be written: the backup is not in the audit trail\n`);
  } else if (!secret) process.stderr.write('sonoedge: this device has no device secret yet (no account, no audit row): the backup is not in the audit trail\n');
  return 0;
}
