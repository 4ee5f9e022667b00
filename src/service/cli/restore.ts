import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCodes, SonoError } from '../../errors.js';
import { KEY_HINT, findRecordsKey } from '../records-file.js';
import { restoreRecords } from '../restore.js';
import { DATA_OPTIONS, type DataDirOf, dataDirFrom } from './backup.js';

export const RESTORE_USAGE = 'sonoedge restore FROM [--config FILE] [--data-dir DIR] [--key-file FILE]   (the daemon stopped)';

/** `sonoedge restore FROM`: checks the backup folder FROM and puts it in place of the records database. */
export async function runRestore(argv: string[], dataDirOf: DataDirOf): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DATA_OPTIONS });
  if (positionals.length !== 1) {
    process.stderr.write(`sonoedge: restore needs one FROM: the sonoedge-backup-<time> folder written by sonoedge backup\n  ${RESTORE_USAGE}\n`);
    return 2;
  }
  const dataDir = dataDirFrom(values, dataDirOf);
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
  // A new device with no key of its own: the backup's key becomes its key file (unless a credential provides it).
  const r = restoreRecords({ fromDir: resolve(positionals[0]!), dataDir, key: key.key, writeKey: !own && !process.env.CREDENTIALS_DIRECTORY });
  const rows = Object.entries(r.manifest.counts)
    .filter(([t]) => ['exams', 'captures', 'measurements'].includes(t))
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  process.stdout.write(`${r.target}\n`);
  process.stderr.write(
    `sonoedge: restored ${rows} from the backup of ${r.manifest.createdAt} into ${r.target}${r.previous ? `; the database it replaced is kept as ${r.previous}` : ''}. Start the daemon again (systemctl start sonoedge)\n`,
  );
  return 0;
}
