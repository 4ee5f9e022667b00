/**
 * Migration 28 names, on each adjudication made before it, the second reading it answers by the rule used until
 * then (the latest second reading at or before the adjudication's time), so every measurement reads as it did;
 * adjudications stay append-only.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/records/database.js';
import { MIGRATIONS } from '../../src/records/migrations.js';

describe('migration 28: the second reading each adjudication answers', () => {
  it('links rows made before by the old timestamp rule, and keeps adjudications append-only', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 28)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    db.pragma('foreign_keys = OFF'); // the rows stand without their exams
    const read = db.prepare("INSERT INTO second_reads (measurement_id, exam_id, reader, agree, value, at) VALUES (?, 'e', 'Bob', 0, 181, ?)");
    const adj = db.prepare("INSERT INTO adjudications (measurement_id, exam_id, by_user, value, at) VALUES (?, 'e', 'Ada', 180, ?)");
    read.run('answered', '2026-01-01T10:00:00.000Z'); // 1
    read.run('flagged-again', '2026-01-01T10:00:00.000Z'); // 2
    read.run('answered', '2026-01-01T10:01:00.000Z'); // 3: the latest, answered below
    adj.run('answered', '2026-01-01T10:02:00.000Z');
    adj.run('flagged-again', '2026-01-01T10:00:30.000Z');
    read.run('flagged-again', '2026-01-01T10:05:00.000Z'); // 4: after the adjudication
    db.pragma('foreign_keys = ON'); // as openDatabase migrates
    expect(migrate(db)).toBe(MIGRATIONS.filter((x) => x.version >= 28).length);
    expect(db.prepare('SELECT measurement_id m, second_read_id s FROM adjudications ORDER BY id').all()).toEqual([
      { m: 'answered', s: 3 },
      { m: 'flagged-again', s: 2 },
    ]);
    expect(() => db.prepare('UPDATE adjudications SET value = 1').run()).toThrow(/append-only/);
  });
});
