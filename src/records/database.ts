import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { assertWritable, withPermissionError } from '../util/data-owner.js';
import { createKeyFile } from './key-file.js';
import { MIGRATIONS } from './migrations.js';
import { openErrorOf } from './sqlite-errors.js';

export type Db = Database.Database;

/**
 * The database key lives outside the database: a systemd credential when the unit provides one
 * ($CREDENTIALS_DIRECTORY/sonoedge-db-key), else a file created at first start with mode 0600.
 */
export function loadOrCreateKey(keyFile: string, env: NodeJS.ProcessEnv = process.env, credentialName = 'sonoedge-db-key'): string {
  const cred = env.CREDENTIALS_DIRECTORY && join(env.CREDENTIALS_DIRECTORY, credentialName);
  if (cred && existsSync(cred)) {
    const k = readFileSync(cred, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(k)) throw new SonoError(ErrorCodes.DATABASE_FAILED, `systemd credential ${credentialName} does not hold a 64-hex-digit key`);
    return k;
  }
  const dataDir = basename(dirname(keyFile)) === 'keys' ? dirname(dirname(keyFile)) : dirname(keyFile);
  const key = withPermissionError(keyFile, dataDir, 'the key file', () => {
    if (!existsSync(keyFile)) createKeyFile(keyFile);
    chmodSync(keyFile, 0o600);
    return readFileSync(keyFile, 'utf8').trim();
  });
  if (!/^[0-9a-f]{64}$/.test(key)) {
    // never replaced by a new key: the records encrypted with the old one would be lost for good
    throw new SonoError(
      ErrorCodes.KEY_FILE_INVALID,
      `Key file ${keyFile} does not hold a 64-hex-digit key (${key.length === 0 ? 'it is empty' : `it holds ${key.length} characters`}; torn by a power cut or edited?). It is not replaced, since a new key could not read the records: restore the file from your backup (sonoedge backup keeps it apart, see --key-file), or move it away only if the data it protects may be discarded`,
      { details: { keyFile } },
    );
  }
  return key;
}

function isPlaintextSqlite(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    return head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

/**
 * A database left unencrypted by an earlier version is encrypted in place: a copy is kept until the
 * encrypted file has been opened with the key and holds the same row counts, then the plaintext copy is
 * deleted (it held patient data).
 */
export function encryptPlaintextDatabase(file: string, key: string): boolean {
  if (!isPlaintextSqlite(file)) return false;
  const backup = `${file}.plaintext-backup`;
  const plain = new Database(file);
  plain.pragma('wal_checkpoint(TRUNCATE)');
  plain.pragma('journal_mode = DELETE');
  const tables = (plain.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((t) => t.name);
  const counts = Object.fromEntries(tables.map((t) => [t, (plain.prepare(`SELECT count(*) n FROM "${t}"`).get() as { n: number }).n]));
  plain.close();
  copyFileSync(file, backup);
  try {
    const db = new Database(file);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma(`legacy=4`);
    db.pragma(`rekey="x'${key}'"`);
    db.close();
    const check = new Database(file);
    check.pragma(`cipher='sqlcipher'`);
    check.pragma(`legacy=4`);
    check.pragma(`key="x'${key}'"`);
    for (const [t, n] of Object.entries(counts)) {
      const got = (check.prepare(`SELECT count(*) n FROM "${t}"`).get() as { n: number }).n;
      if (got !== n) throw new Error(`table ${t} has ${got} rows after encryption, ${n} before`);
    }
    check.close();
  } catch (err) {
    copyFileSync(backup, file); // put the original back: nothing is lost
    rmSync(backup, { force: true });
    throw new SonoError(ErrorCodes.DATABASE_FAILED, `Encrypting the unencrypted database ${file} failed; it was left as it was: ${errorMessage(err)}`, { cause: err });
  }
  rmSync(backup, { force: true });
  for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
  return true;
}

/** Opens (creating if needed) the encrypted records database: SQLCipher format, WAL with synchronous=FULL, foreign keys, migrated. */
export function openDatabase(file: string, key: string): Db {
  withPermissionError(file, dirname(file), 'the records database', () => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    assertWritable([file, `${file}-wal`, `${file}-shm`], dirname(file), 'the records database');
    encryptPlaintextDatabase(file, key);
  });
  let db: Db;
  try {
    db = new Database(file);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma(`legacy=4`);
    db.pragma(`key="x'${key}'"`);
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // fails here on a wrong key or a foreign file
  } catch (err) {
    throw openErrorOf(err, file, errorMessage(err));
  }
  // a crash between encryption and clean-up must not leave patient data in plaintext
  rmSync(`${file}.plaintext-backup`, { force: true });
  db.pragma('journal_mode = WAL');
  // FULL: each commit is fsynced to the WAL before the API says yes, so a power cut cannot roll back an
  // acknowledged exam (NORMAL, the build's default in WAL, can). Cost per capture + decision: bench/records-sync.ts.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  let applied = 0;
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
    applied++;
  }
  return applied;
}
