/**
 * Migration 32 (captures.laterality, src/records/migrations-since-21.ts) on a real SQLCipher file made at
 * version 31: a breast capture stored before reads back with laterality null (side not recorded, never a
 * guessed side), a new one keeps its side, the column refuses anything but left/right, and every exam read
 * still comes from the covering index captures_read (the column is after the pixels in the row).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { MIGRATIONS } from '../../src/records/migrations.js';
import { tempDir } from '../helpers/tmp.js';

describe('migration 32: the breast each capture was taken on', () => {
  it('an older capture reads null, a new one its side; only left/right are stored; exam reads stay on the covering index', () => {
    const dir = tempDir('sonoedge-mig32-');
    const file = join(dir, 'records.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 32)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    old.prepare(`INSERT INTO exams (id, created_at, patient_id, exam_type) VALUES ('e1', '2026-12-01T10:00:00.000Z', 'P-32', 'breast')`).run();
    old
      .prepare(
        `INSERT INTO captures (id, exam_id, created_at, frame_seq, width, height, channels, pixels, pixel_spacing_x, pixel_spacing_y, region_json, results_json)
         VALUES ('c-old', 'e1', '2026-12-01T10:01:00.000Z', 1, 4, 4, 1, ?, NULL, NULL, '{"x":0,"y":0,"width":4,"height":4}', '[]')`,
      )
      .run(Buffer.alloc(16));
    old.close();

    const db = openDatabase(file, loadOrCreateKey(join(dir, 'records.key'), {}));
    expect(db.prepare('SELECT version FROM schema_migrations WHERE version = 32').pluck().get()).toBe(32);
    const store = new ExamStore(db);
    const input = {
      frameSeq: 2,
      frameTimestampMs: 2000,
      width: 4,
      height: 4,
      channels: 1,
      pixels: new Uint8Array(16).fill(9),
      pixelSpacing: undefined,
      region: { x: 0, y: 0, width: 4, height: 4 },
      results: [],
    };
    store.addCapture('e1', { ...input, laterality: 'right' }, 'sono');
    expect(store.getExam('e1').captures.map((c) => [c.id === 'c-old' ? 'old' : 'new', c.laterality])).toEqual([
      ['old', null],
      ['new', 'right'],
    ]);
    expect(() => db.prepare(`UPDATE captures SET laterality = 'both' WHERE id = 'c-old'`).run()).toThrow(/CHECK constraint failed/);
    const sql = (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get('captures_read') as string).replace(/\s+/g, ' ');
    expect(sql).toMatch(/results_json, laterality\)/);
    const plan = (
      db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT id, exam_id, created_at, frame_seq, width, height, pixel_spacing_x, pixel_spacing_y, results_json, laterality FROM captures WHERE exam_id = ? ORDER BY +created_at, rowid',
        )
        .all('e1') as Array<{ detail: string }>
    )
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/USING COVERING INDEX captures_read \(exam_id=\?\)/);
    db.close();
  });
});
