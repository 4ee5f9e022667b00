import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { MIGRATIONS } from '../../src/records/migrations.js';
import { tempDir } from '../helpers/tmp.js';

describe('records database', () => {
  const dir = tempDir();

  it('creates its key at first start with 0600 rights, outside the database', () => {
    const keyFile = join(dir, 'keys', 'records.key');
    const k1 = loadOrCreateKey(keyFile, {});
    expect(k1).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(keyFile, {})).toBe(k1);
  });

  it('is encrypted at rest, migrated, WAL with synchronous=FULL (an acknowledged commit survives a power cut), foreign keys on; a wrong key cannot open it', () => {
    const file = join(dir, 'records.db');
    const key = loadOrCreateKey(join(dir, 'keys', 'records.key'), {});
    const db = openDatabase(file, key);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL; NORMAL (1) can roll back a commit on power loss in WAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect((db.prepare('SELECT max(version) v FROM schema_migrations').get() as { v: number }).v).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    db.prepare("INSERT INTO exams (id, created_at, patient_name) VALUES ('e1', 'now', 'DOE^JANE')").run();
    expect(() => db.prepare("INSERT INTO captures (id, exam_id, created_at, frame_seq, width, height, channels, pixels, region_json, results_json) VALUES ('c', 'missing', 'now', 0, 1, 1, 1, x'00', '{}', '{}')").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO audit_log (at, action) VALUES ('now', 'x')").run()).not.toThrow();
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 15).toString()).not.toBe('SQLite format 3');
    expect(bytes.includes(Buffer.from('DOE^JANE'))).toBe(false);
    expect(() => openDatabase(file, 'a'.repeat(64))).toThrow(/Cannot open records database .*wrong key/);
    const again = openDatabase(file, key);
    expect((again.prepare('SELECT patient_name FROM exams').get() as { patient_name: string }).patient_name).toBe('DOE^JANE');
    again.close();
  });
});

describe('a database left unencrypted by an earlier version', () => {
  it('is encrypted at start-up and nothing in it is lost', async () => {
    const dir = tempDir();
    const file = join(dir, 'old.db');
    const Database = (await import('better-sqlite3-multiple-ciphers')).default;
    const plain = new Database(file);
    plain.pragma('journal_mode = WAL');
    plain.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    plain.exec(MIGRATIONS[0]!.sql);
    plain.prepare("INSERT INTO schema_migrations VALUES (1, 'v1', 'then')").run();
    for (let i = 0; i < 50; i++) plain.prepare('INSERT INTO exams (id, created_at, patient_name) VALUES (?, ?, ?)').run(`e${i}`, 'then', `PATIENT^NUMBER${i}`);
    plain.close();
    expect(readFileSync(file).includes(Buffer.from('PATIENT^NUMBER7'))).toBe(true);
    const key = loadOrCreateKey(join(dir, 'k'), {});
    const db = openDatabase(file, key);
    expect((db.prepare('SELECT count(*) n FROM exams').get() as { n: number }).n).toBe(50);
    expect((db.prepare("SELECT patient_name FROM exams WHERE id = 'e7'").get() as { patient_name: string }).patient_name).toBe('PATIENT^NUMBER7');
    expect((db.prepare('SELECT max(version) v FROM schema_migrations').get() as { v: number }).v).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 15).toString()).not.toBe('SQLite format 3');
    expect(bytes.includes(Buffer.from('PATIENT^NUMBER7'))).toBe(false);
    expect(existsSync(`${file}.plaintext-backup`)).toBe(false);
  });
});
