/**
 * A real encrypted records database in `dir` with the daemon's sync wiring on it (closing queues the build for
 * `targets`), as src/app wires it: what the close-build tests start from.
 */
import { join } from 'node:path';
import pino from 'pino';
import { wireSync } from '../../src/app/sync-wiring.js';
import { loadConfig } from '../../src/config/load.js';
import { type Db, loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';

export interface WiredSync {
  db: Db;
  dbFile: string;
  dbKey: string;
  store: ExamStore;
  sync: ReturnType<typeof wireSync>;
}

export function wiredSync(dir: string, targets: Array<{ name: string; url: string }>, deviceSecret: string): WiredSync {
  const dbFile = join(dir, 'records.db');
  const dbKey = loadOrCreateKey(join(dir, 'records.key'), {});
  const db = openDatabase(dbFile, dbKey);
  const store = new ExamStore(db);
  const loaded = loadConfig(undefined, {
    env: {},
    overrides: [
      [['dataDir'], dir],
      [['sync', 'targets'], targets],
    ],
  });
  return { db, dbFile, dbKey, store, sync: wireSync(loaded, db, store, { dbFile, dbKey, deviceSecret }, pino({ level: 'silent' })) };
}
