/**
 * Opening the encrypted records database outside the daemon (backup, restore), and finding its key without ever
 * creating one. The cipher settings are those of src/records/database.ts (SQLCipher 4 format); a key that does
 * not open the file fails here, not later.
 */
import { createHash, createHmac } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { SonoError, errorMessage, type ErrorCode } from '../errors.js';

export type RecordsDb = Database.Database;

export const RECORDS_FILE = 'records.db';
const KEY_RE = /^[0-9a-f]{64}$/;

export interface KeySource {
  key: string;
  /** Where it came from, for messages: a credential, a key file. */
  from: string;
}

/**
 * The records key: --key-file when given, else the systemd credential (sonoedge-db-key), else the daemon's key
 * file in the data folder. Never creates one: a new key would open nothing.
 */
export function findRecordsKey(dataDir: string, options: { keyFile?: string; env?: NodeJS.ProcessEnv; code: ErrorCode }): KeySource | undefined {
  const env = options.env ?? process.env;
  const candidates: string[] = [];
  if (options.keyFile) candidates.push(options.keyFile);
  else {
    if (env.CREDENTIALS_DIRECTORY) candidates.push(join(env.CREDENTIALS_DIRECTORY, 'sonoedge-db-key'));
    candidates.push(join(dataDir, 'keys', 'records.key'));
  }
  for (const file of candidates) {
    if (!existsSync(file)) {
      if (options.keyFile) throw new SonoError(options.code, `Key file ${file} does not exist; give the file that holds the 64-hex-digit records key`);
      continue;
    }
    const key = readFileSync(file, 'utf8').trim();
    if (!KEY_RE.test(key)) throw new SonoError(options.code, `Key file ${file} does not hold a 64-hex-digit key; give the records key the daemon uses`);
    return { key, from: file };
  }
  return undefined;
}

/** Says how to get the key when the daemon's is held as an encrypted credential only. */
export const KEY_HINT =
  "give --key-file FILE, or run the command with the unit's credential: systemd-run --pipe --wait -p LoadCredentialEncrypted=sonoedge-db-key:/etc/credstore.encrypted/sonoedge-db-key sonoedge …";

/** A short fingerprint of the key kept in a backup's manifest: tells "another key" apart from "damaged" without revealing the key. */
export function keyCheck(key: string): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update('sonoedge-backup-key-check').digest('hex').slice(0, 16);
}

/** Opens an existing encrypted database with `key`; no migration, no journal-mode change. */
export function openRecordsFile(file: string, key: string, code: ErrorCode): RecordsDb {
  let db: RecordsDb | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${key}'"`);
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // a wrong key fails here
    return db;
  } catch (err) {
    db?.close();
    throw new SonoError(code, `Cannot open ${file} with the records key: ${errorMessage(err)} (wrong key, or not a sonoedge database)`, { cause: err });
  }
}

/** Rows per table, for the manifest and the restore summary. */
export function tableCounts(db: RecordsDb): Record<string, number> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) n FROM "${t}"`).get() as { n: number }).n]));
}

export function schemaVersion(db: RecordsDb): number {
  return (db.prepare('SELECT coalesce(max(version), 0) v FROM schema_migrations').get() as { v: number }).v;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** fsync a file or folder: a backup or a restore is on disk before it is reported done. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Processes that have the database (or its -wal/-shm) open, found through /proc/<pid>/fd: a daemon, its sync
 * process, or anything else. Processes of other users are invisible unless we are root; those have no access
 * to the data folder anyway.
 */
export function processesHolding(file: string): number[] {
  const targets = new Set<string>();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      targets.add(realpathSync(f));
    } catch {
      // absent: nobody holds it
    }
  }
  if (targets.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to see
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (targets.has(target)) {
        pids.push(Number(entry));
        break;
      }
    }
  }
  return pids;
}

/** The newest things a database holds: what restore compares to tell newer data from older. */
export interface RecordsLatest {
  /** created_at of the newest exam; null when there is none. */
  examCreatedAt: string | null;
  /** The last audit row's id; 0 when there is none. */
  auditId: number;
}

export function latestOf(db: RecordsDb): RecordsLatest {
  const has = (t: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
  const exam = has('exams') ? (db.prepare('SELECT max(created_at) at FROM exams').get() as { at: string | null }).at : null;
  const audit = has('audit') ? (db.prepare('SELECT coalesce(max(id), 0) id FROM audit').get() as { id: number }).id : 0;
  return { examCreatedAt: exam, auditId: audit };
}
