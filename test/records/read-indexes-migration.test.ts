/**
 * Migration 30 on a records file made before it (a plaintext file at version 29, encrypted and migrated as a
 * device's first start after the update does), seeded with enough exams, captures, measurements and outbox
 * rows with payloads past a page that the query plan matters: the exam list's sync state, the sync screen's
 * items and every exam read are answered from covering indexes (never a SCAN, never
 * past a payload or pixel blob), with the same answers as before, captures in the order they were saved.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { type Db, loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { MIGRATIONS } from '../../src/records/migrations.js';
import { captureGeometry } from '../../src/sync/capture-geometry.js';
import { Outbox } from '../../src/sync/outbox.js';
import { tempDir } from '../helpers/tmp.js';

const EXAMS = 60;
const CAPTURES = 4;
const MEASURES = 5;
const plan = (db: Db, sql: string, ...args: unknown[]): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join('\n');

/** Exams whose captures share one timestamp and whose capture ids sort against the order they were saved. */
function seed(db: Database.Database): { exams: string[]; captures: Map<string, string[]>; measures: Map<string, string[]> } {
  const exams: string[] = [];
  const captures = new Map<string, string[]>();
  const measures = new Map<string, string[]>();
  const pixels = Buffer.alloc(16 * 1024, 7);
  const payload = Buffer.alloc(12 * 1024, 9);
  const insE = db.prepare(`INSERT INTO exams (id, created_at, closed_at, patient_name, patient_id, exam_type) VALUES (?, ?, ?, ?, ?, 'obstetric')`);
  const insC = db.prepare(`INSERT INTO captures (id, exam_id, created_at, frame_seq, width, height, channels, pixels, pixel_spacing_x, pixel_spacing_y, region_json, results_json)
    VALUES (?, ?, ?, ?, 128, 128, 1, ?, ?, ?, ?, ?)`);
  const insM = db.prepare(`INSERT INTO measurements (id, capture_id, kind, ai_value, unit, state) VALUES (?, ?, 'hc', ?, 'mm', 'unverified')`);
  const insO = db.prepare(
    `INSERT INTO outbox (target, exam_id, sop_instance_uid, sop_class_uid, payload, state, attempts, last_error, created_at, sent_at) VALUES ('pacs', ?, ?, '1.2.840.10008.5.1.4.1.1.6.1', ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < EXAMS; i++) {
      const id = `exam-${String(i).padStart(3, '0')}`;
      const at = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
      exams.push(id);
      insE.run(id, at, at, `P^${i}`, `P${i}`);
      const caps: string[] = [];
      for (let c = 0; c < CAPTURES; c++) {
        const cid = `cap-${String(i).padStart(3, '0')}-${CAPTURES - c}`; // saved 4, 3, 2, 1: ids sort the other way
        caps.push(cid);
        insC.run(cid, id, at, c, pixels, c === 0 ? null : 0.2, c === 0 ? null : 0.25, `{"x":${c},"y":0,"width":100,"height":90}`, JSON.stringify([{ modelId: 'hc', n: c }]));
        const ms: string[] = [];
        for (let m = 0; m < MEASURES; m++) {
          const mid = `m-${cid}-${MEASURES - m}`;
          ms.push(mid);
          insM.run(mid, cid, 150 + m);
        }
        measures.set(cid, ms);
        const state = c === 0 ? (['sent', 'pending', 'rejected'] as const)[i % 3]! : 'sent';
        insO.run(id, `1.2.3.${i}.${c}`, payload, state, state === 'pending' ? 0 : 1, state === 'rejected' ? `refused ${i}` : null, at, state === 'sent' ? at : null);
      }
      captures.set(id, caps);
    }
  })();
  return { exams, captures, measures };
}

describe('migration 30: reads that never walk a payload or pixel blob', () => {
  it('migrates a version-29 file: covering indexes serve every read, answers unchanged', () => {
    const dir = tempDir('sonoedge-mig30-');
    const file = join(dir, 'records.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 30)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    const { exams, captures, measures } = seed(old);
    const oldOutbox = new Outbox(old);
    const statesBefore = exams.map((e) => oldOutbox.examState(e));
    const itemsBefore = oldOutbox.items();
    expect(new Set(statesBefore)).toEqual(new Set(['sent', 'pending', 'rejected']));
    old.close();

    const db = openDatabase(file, loadOrCreateKey(join(dir, 'records.key'), {}));
    expect(db.prepare('SELECT version FROM schema_migrations WHERE version = 30').pluck().get()).toBe(30);
    const outbox = new Outbox(db);
    const store = new ExamStore(db);

    // the statements the code itself prepares, each with its plan (not a copy of their SQL)
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => (prepared.push(sql), prepare(sql))) as typeof db.prepare;
    const plansOf = (read: () => unknown): string[] => {
      prepared.length = 0;
      read();
      return [...new Set(prepared)].map((sql) => plan(db, sql, ...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 'x')));
    };

    // GET /api/exams: each exam's sync state from the index alone (outbox.state is stored after the payload)
    const [examState] = plansOf(() => outbox.examState(exams[0]!));
    expect(examState).toMatch(/SEARCH o USING COVERING INDEX outbox_exam_state \(exam_id=\?\)/);
    expect(exams.map((e) => outbox.examState(e))).toEqual(statesBefore);

    // GET /api/sync: the newest 500 items, last_error included, from the index alone
    const [items] = plansOf(() => outbox.items());
    expect(items).toMatch(/SCAN o USING COVERING INDEX outbox_items/);
    expect(items).not.toMatch(/TEMP B-TREE/);
    expect(outbox.items()).toEqual(itemsBefore);
    expect(itemsBefore.some((i) => i.lastError !== null)).toBe(true);

    // every exam read: its captures' columns after the pixels from captures_read, measurements by capture
    const reads = plansOf(() => store.getExam(exams[1]!)).join('\n');
    expect(reads).toMatch(/SEARCH captures USING COVERING INDEX captures_read \(exam_id=\?\)/);
    expect(reads).toMatch(/SEARCH m USING INDEX measurements_by_capture \(capture_id=\?\)/);
    expect(reads).not.toMatch(/SCAN (m|measurements|captures|outbox|o)\b/);
    db.prepare = prepare;

    for (const e of [exams[0]!, exams[EXAMS / 2]!, exams[EXAMS - 1]!]) {
      const exam = store.getExam(e);
      // saved in one millisecond: in the order they were saved, as before (not by id)
      expect(exam.captures.map((c) => c.id)).toEqual(captures.get(e));
      exam.captures.forEach((c, k) => {
        expect(c.measurements.map((m) => m.id)).toEqual(measures.get(c.id));
        expect(c.pixelSpacing).toEqual(k === 0 ? null : { x: 0.2, y: 0.25 });
        expect(c.results).toEqual([{ modelId: 'hc', n: k }]);
        expect(captureGeometry(db, c.id)).toEqual({ width: 128, height: 128, region: { x: k, y: 0, width: 100, height: 90 } });
      });
    }
    expect(store.listExams().map((x) => x.captureCount)).toEqual(exams.map(() => CAPTURES));
    db.close();
  });
});
