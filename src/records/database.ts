import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * The database key lives outside the database: a systemd credential when the unit provides one
 * ($CREDENTIALS_DIRECTORY/sonoedge-db-key), else a file created at first start with mode 0600.
 */
export function loadOrCreateKey(keyFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const cred = env.CREDENTIALS_DIRECTORY && join(env.CREDENTIALS_DIRECTORY, 'sonoedge-db-key');
  if (cred && existsSync(cred)) return readFileSync(cred, 'utf8').trim();
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(keyFile, 0o600);
  const key = readFileSync(keyFile, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new SonoError(ErrorCodes.DATABASE_FAILED, `Database key file ${keyFile} does not hold a 64-hex-digit key`);
  return key;
}

/** Opens (creating if needed) the encrypted records database: SQLCipher format, WAL, foreign keys, migrated. */
export function openDatabase(file: string, key: string): Db {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    db = new Database(file);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma(`legacy=4`);
    db.pragma(`key="x'${key}'"`);
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // fails here on a wrong key or a foreign file
  } catch (err) {
    throw new SonoError(ErrorCodes.DATABASE_FAILED, `Cannot open records database ${file}: ${errorMessage(err)} (wrong key, or not a sonoedge database)`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
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
