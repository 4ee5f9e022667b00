import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCodes, SonoError } from '../../errors.js';
import { refuseRootOnForeignDataDir } from '../../util/data-owner.js';
import { readSecretFile } from '../backup-secret.js';
import { KEY_HINT, findRecordsKey } from '../records-file.js';
import { type RestoreResult, restoreRecords } from '../restore.js';
import { DATA_OPTIONS, type DataDirOf, cliActor, dataDirFrom } from './backup.js';

export const RESTORE_USAGE =
  "sonoedge restore FROM [--config FILE] [--data-dir DIR] [--key-file FILE] [--device-secret-file FILE] [--replace-newer]   (the daemon stopped; --device-secret-file: the old box's keys/device.secret, for a backup made before backups held it; --replace-newer: set aside records newer than the backup)";

const RESTORE_OPTIONS = { ...DATA_OPTIONS, 'device-secret-file': { type: 'string' }, 'replace-newer': { type: 'boolean' } } as const;

/** What the restore did with the device secret, in words; never the secret itself. */
function secretNote(r: RestoreResult, dataDir: string): string {
  const s = r.secret;
  const what = {
    backup: "the backup's device secret",
    given: 'the device secret from --device-secret-file',
    kept: "this box's device secret",
    created: 'a new device secret (the backup needed none)',
  }[s.source];
  if (s.pending) {
    const loaded = s.credentialDiffers ? 'differs from the backup' : 'was not loaded into this command, so it could not be compared';
    return (
      `; this box reads its device secret from the credential ${s.credstore}, which ${loaded}: ${what} was written to ${s.pending} (0600), outside the data folder, not in clear into it. ` +
      `Before starting the daemon, put it into the credential and remove the plain file: systemd-creds encrypt --name=sonoedge-device-secret ${s.pending} ${s.credstore} && shred -u ${s.pending} (else nobody can sign in)`
    );
  }
  let note = s.written ? `; ${what} is now ${dataDir}/keys/device.secret` : s.credstore ? `; ${what} is in use (the credential ${s.credstore})` : `; ${what} is in use`;
  if (s.setAside) note += ` (the one it replaced is kept as ${s.setAside})`;
  return note;
}

/** `sonoedge restore FROM`: checks the backup folder FROM and puts it in place of the records database, with its device secret. */
export async function runRestore(argv: string[], dataDirOf: DataDirOf): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: RESTORE_OPTIONS });
  if (positionals.length !== 1) {
    process.stderr.write(`sonoedge: restore needs one FROM: the sonoedge-backup-<time> folder written by sonoedge backup\n  ${RESTORE_USAGE}\n`);
    return 2;
  }
  const dataDir = dataDirFrom(values, dataDirOf);
  refuseRootOnForeignDataDir(dataDir);
  const own = findRecordsKey(dataDir, { code: ErrorCodes.RESTORE_INVALID });
  const given = values['key-file'] ? findRecordsKey(dataDir, { keyFile: values['key-file'], code: ErrorCodes.RESTORE_INVALID }) : undefined;
  const key = given ?? own;
  if (!key) throw new SonoError(ErrorCodes.RESTORE_INVALID, `No records key found for ${dataDir} (a new device?): ${KEY_HINT.replace('sonoedge …', 'sonoedge restore …')}`);
  if (given && own && given.key !== own.key) {
    throw new SonoError(
      ErrorCodes.RESTORE_REFUSED,
      `The key in ${given.from} differs from the one this device uses (${own.from}): the daemon could not open the restored database. Restore with this device's key, or replace its key first`,
    );
  }
  const deviceSecret = values['device-secret-file'] ? readSecretFile(resolve(values['device-secret-file']), ErrorCodes.RESTORE_INVALID) : undefined;
  // A new device with no key of its own: the backup's key becomes its key file (unless a credential provides it).
  const r = restoreRecords({
    fromDir: resolve(positionals[0]!),
    dataDir,
    key: key.key,
    writeKey: !own && !process.env.CREDENTIALS_DIRECTORY,
    deviceSecret,
    replaceNewer: values['replace-newer'] === true,
    actor: cliActor(),
  });
  const rows = Object.entries(r.manifest.counts)
    .filter(([t]) => ['exams', 'captures', 'measurements'].includes(t))
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  const newer = r.newer?.unreadable
    ? ` (it could not be read: ${r.newer.unreadable}; --replace-newer)`
    : r.newer
      ? ` (it held ${r.newer.exams} exams and ${r.newer.auditRows} audit rows newer than the backup: --replace-newer)`
      : '';
  const unused = deviceSecret !== undefined && r.secret.source === 'backup' ? '; the backup holds its own device secret, so --device-secret-file was not needed' : '';
  process.stdout.write(`${r.target}\n`);
  process.stderr.write(
    `sonoedge: restored ${rows} from the backup of ${r.manifest.createdAt} into ${r.target}${r.previous ? `; the database it replaced is kept as ${r.previous}${newer}` : ''}` +
      `${secretNote(r, dataDir)}${unused}${r.auditRow ? `; the restore is audit row ${r.auditRow} (system.restore)` : ''}. Start the daemon again (systemctl start sonoedge)\n`,
  );
  return 0;
}
