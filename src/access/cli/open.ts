/**
 * What the account commands share: the data directory from --data-dir or the config, and the access services
 * over the same database and device secret the daemon uses (so what they write works at once in a running daemon).
 */
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { dataDirOf } from '../../config/paths.js';
import { loadConfig } from '../../config/load.js';
import { refuseRootOnForeignDataDir } from '../../util/data-owner.js';
import { type Db, loadOrCreateKey, openDatabase } from '../../records/database.js';
import { type AccessServices, openAccess } from '../access.js';
import { restrictNewFiles } from '../private-files.js';

export const DATA_OPTIONS = { config: { type: 'string' }, 'data-dir': { type: 'string' } } as const;

export interface OpenedAccess {
  services: AccessServices;
  db: Db;
  /** Who ran the command, for the audit trail: the CLI runs on the device, as a local account. */
  actor: { client: string; details: { osUser: string } };
}

export function openAccessForCli(values: { config?: string; 'data-dir'?: string }): OpenedAccess {
  restrictNewFiles();
  const overrides: Array<[string[], unknown]> = values['data-dir'] !== undefined ? [[['dataDir'], resolve(values['data-dir'])]] : [];
  const loaded = loadConfig(values.config, { overrides });
  const dataDir = dataDirOf(loaded);
  refuseRootOnForeignDataDir(dataDir);
  const db = openDatabase(join(dataDir, 'records.db'), loadOrCreateKey(join(dataDir, 'keys', 'records.key')));
  const deviceSecret = loadOrCreateKey(join(dataDir, 'keys', 'device.secret'), process.env, 'sonoedge-device-secret');
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    // no passwd entry (some containers): the audit row says unknown
  }
  return { services: openAccess(db, deviceSecret, loaded.config.access), db, actor: { client: 'cli', details: { osUser } } };
}

/** Runs `fn` with the services open, and closes the database whatever happens. */
export async function withAccess<R>(values: { config?: string; 'data-dir'?: string }, fn: (a: OpenedAccess) => Promise<R> | R): Promise<R> {
  const opened = openAccessForCli(values);
  try {
    return await fn(opened);
  } finally {
    opened.db.close();
  }
}
