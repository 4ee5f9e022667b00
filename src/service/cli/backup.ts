import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LoadedConfig, loadConfig } from '../../config/load.js';
import { ErrorCodes, SonoError } from '../../errors.js';
import { packageRoot } from '../../util/package-root.js';
import { backupRecords } from '../backup.js';
import { KEY_HINT, findRecordsKey } from '../records-file.js';

/** What a service command needs from the composition root: where the data folder of a config is. */
export type DataDirOf = (loaded: LoadedConfig) => string;

export const DATA_OPTIONS = { config: { type: 'string' }, 'data-dir': { type: 'string' }, 'key-file': { type: 'string' } } as const;

export function dataDirFrom(values: { config?: string; 'data-dir'?: string }, dataDirOf: DataDirOf): string {
  const overrides: Array<[string[], unknown]> = values['data-dir'] !== undefined ? [[['dataDir'], resolve(values['data-dir'])]] : [];
  return dataDirOf(loadConfig(values.config, { overrides }));
}

export const BACKUP_USAGE = 'sonoedge backup --to DIR [--config FILE] [--data-dir DIR] [--key-file FILE]';

/** `sonoedge backup --to DIR`: prints the backup folder it wrote; safe while the daemon runs. */
export async function runBackup(argv: string[], dataDirOf: DataDirOf): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { to: { type: 'string' }, ...DATA_OPTIONS } });
  if (!values.to) {
    process.stderr.write(`sonoedge: backup needs --to DIR (a folder on another disk, e.g. a mounted USB stick)\n  ${BACKUP_USAGE}\n`);
    return 2;
  }
  const dataDir = dataDirFrom(values, dataDirOf);
  const found = findRecordsKey(dataDir, { keyFile: values['key-file'], code: ErrorCodes.BACKUP_FAILED });
  if (!found) throw new SonoError(ErrorCodes.BACKUP_FAILED, `No records key found for ${dataDir} (no credential, no keys/records.key): ${KEY_HINT}`);
  const software = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const { dir, manifest } = backupRecords({ dataDir, key: found.key, toDir: resolve(values.to), software });
  const rows = Object.entries(manifest.counts)
    .filter(([t]) => ['exams', 'captures', 'measurements'].includes(t))
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  process.stdout.write(`${dir}\n`);
  process.stderr.write(
    `sonoedge: backup written to ${dir} (${rows}; ${manifest.files[0]!.bytes} bytes, encrypted with the records key, SHA-256 ${manifest.files[0]!.sha256.slice(0, 16)}…). Keep the key too: the backup cannot be read without it\n`,
  );
  return 0;
}
