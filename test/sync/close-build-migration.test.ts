/**
 * Migration 29 on a records file made before it (a plaintext file at version 28, encrypted and migrated as a
 * device's first start after the update does): the exams queued the old way (DICOM built at close) are still
 * due, in the same order; the new indexes exist and serve the queries they are for; an exam closed after
 * the update is queued as a build and built.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { type Db, loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { MIGRATIONS } from '../../src/records/migrations.js';
import { buildNextExam, buildOrder } from '../../src/sync/exam-build.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { BUILD_CLASS, Outbox } from '../../src/sync/outbox.js';
import { tempDir } from '../helpers/tmp.js';

const OPTIONS = { dates: 'shift' as const, deviceSerial: 'SN', softwareVersion: '0' };

function closedExam(store: ExamStore, name: string): string {
  const exam = store.createExam({ patient: { name, id: name, birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
  for (let i = 0; i < 2; i++)
    store.addCapture(
      exam.id,
      { frameSeq: i, width: 64, height: 48, channels: 1, pixels: new Uint8Array(64 * 48).fill(40 + i), pixelSpacing: { x: 0.3, y: 0.3 }, region: { x: 4, y: 4, width: 56, height: 40 }, results: [] },
      null,
    );
  return exam.id;
}

const plan = (db: Db, sql: string, ...args: unknown[]): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join('\n');

describe('migration 29: exam builds queued at close', () => {
  it('migrates a version-28 file: old queue kept and due in order, indexes used, new closes built', () => {
    const dir = tempDir('sonoedge-mig29-');
    const file = join(dir, 'records.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 29)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    // the exam closed before the update: made by today's store in a current file, its rows copied into the
    // version-28 file with that version's columns (today's store writes columns later migrations add)
    const current = openDatabase(join(dir, 'current.db'), loadOrCreateKey(join(dir, 'current.key'), {}));
    const currentStore = new ExamStore(current);
    const queuedBefore = closedExam(currentStore, 'OLD^ONE');
    const closed = currentStore.closeExam(queuedBefore, null);
    for (const table of ['exams', 'captures']) {
      const columns = (old.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
      const rows = current.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).all() as Array<Record<string, unknown>>;
      const insert = old.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
      for (const row of rows) insert.run(row);
    }
    new Outbox(old).enqueue(
      'pacs',
      queuedBefore,
      buildExamInstances(closed, (id) => currentStore.capturePixels(id), { secret: 's', ...OPTIONS, deidentified: true }),
    );
    current.close();
    const dueBefore = new Outbox(old).due('pacs', 100).map((d) => d.sopInstanceUid);
    expect(dueBefore.length).toBe(2); // the two reports; the images wait for the OCR gate
    old.close();

    const db = openDatabase(file, loadOrCreateKey(join(dir, 'records.key'), {}));
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    const outbox = new Outbox(db);
    expect(outbox.due('pacs', 100).map((d) => d.sopInstanceUid)).toEqual(dueBefore);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('captures_by_exam', 'outbox_by_exam', 'outbox_builds') ORDER BY name").pluck().all()).toEqual([
      'captures_by_exam',
      'outbox_builds',
      'outbox_by_exam',
    ]);
    // an exam's captures (every exam read), the due query's build test, the builds due: each by its index
    expect(plan(db, 'SELECT count(*) FROM captures WHERE exam_id = ?', 'x')).toMatch(/USING (COVERING )?INDEX captures_by_exam/);
    expect(plan(db, `SELECT 1 FROM outbox b WHERE b.exam_id = ? AND b.target = ? AND b.sop_class_uid = '${BUILD_CLASS}'`, 'x', 'pacs')).toMatch(/USING COVERING INDEX outbox_by_exam/);
    expect(plan(db, `SELECT exam_id FROM outbox WHERE sop_class_uid = '${BUILD_CLASS}' AND state = 'pending' AND next_attempt_at <= ?`, 0)).toMatch(/USING INDEX outbox_builds/);

    // closed after the update: a build row, then the instances
    const store = new ExamStore(db);
    const after = closedExam(store, 'NEW^TWO');
    store.closeExam(after, null, (exam) => outbox.enqueueBuild(['pacs'], exam.id, buildOrder(exam, OPTIONS)));
    expect(buildNextExam(db, 's', () => 1000)).toEqual({ examId: after, outcome: 'built', instances: 6 });
    expect(outbox.due('pacs', 100).map((d) => d.examId)).toEqual([queuedBefore, queuedBefore, after, after]);
    db.close();
  });
});
