import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { MIGRATIONS } from '../../src/records/migrations.js';
import { makeClosedBreastExam } from '../helpers/breast-exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';

describe('breast exams in the records', () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));

  it('store the exam type; a breast capture keeps the lesion measurements only, with units, categories and calipers', () => {
    const { exam } = makeClosedBreastExam(db);
    expect(exam.examType).toBe('breast');
    const ms = exam.captures[0]!.measurements;
    expect(ms.map((m) => m.kind).sort()).toEqual(['lesion_class', 'lesion_margin', 'lesion_max_diameter', 'lesion_orientation', 'lesion_perpendicular_diameter', 'malignancy_probability']);
    const max = ms.find((m) => m.kind === 'lesion_max_diameter')!;
    expect(max).toMatchObject({ unit: 'mm', state: 'corrected', finalValue: 9.5, finalGeometry: { x1: 150, y1: 80, x2: 170, y2: 170 } });
    expect(max.aiValue!).toBeCloseTo(2 * 22 * 2 * 0.1, 0); // 44 model px × 2 frame px × 0.1 mm
    expect((max.aiGeometry as { x1: number }).x1).toEqual(expect.any(Number));
    expect(ms.find((m) => m.kind === 'lesion_orientation')).toMatchObject({ aiText: 'not-parallel', finalText: 'not-parallel', state: 'confirmed' });
    const margin = ms.find((m) => m.kind === 'lesion_margin')!;
    expect(margin).toMatchObject({ aiText: 'circumscribed', finalText: 'irregular', state: 'corrected', finalGeometry: { outline: [120, 60, 200, 60, 200, 200, 120, 200] } });
    expect((margin.aiGeometry as { outline: number[] }).outline.length).toBeGreaterThan(100); // the AI's outline, kept beside
    expect(ms.find((m) => m.kind === 'lesion_class')).toMatchObject({ aiText: 'malignant', unit: '%', state: 'confirmed' });
    expect(ms.find((m) => m.kind === 'malignancy_probability')).toMatchObject({ aiValue: expect.closeTo(65, 4) as number, unit: '%', state: 'unverified' });
  });

  it('an obstetric exam ignores a lesion model running beside the head model', () => {
    const store = new ExamStore(db);
    const exam = store.createExam({});
    expect(exam.examType).toBe('obstetric');
    const cap = store.addCapture(exam.id, {
      frameSeq: 1, width: 4, height: 4, channels: 1, pixels: new Uint8Array(16), pixelSpacing: undefined, region: { x: 0, y: 0, width: 4, height: 4 },
      results: [
        { modelId: 'breast-lesion', modelVersion: '0.1.0', provider: 'cpu', result: { task: 'breast-lesion', class: 'benign', confidence: 0.9, malignancyProbability: 0.05 } },
        { modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 170, bpdMm: 45 } },
      ],
    }, null);
    expect(cap.measurements.map((m) => m.kind)).toEqual(['hc', 'bpd']);
    expect(cap.results).toHaveLength(2); // both results are still kept with the capture
  });

  it('refuses a category that does not exist, text on a number, and a correction without its category', () => {
    const store = new ExamStore(db);
    const exam = store.createExam({ examType: 'breast' });
    const cap = store.addCapture(exam.id, {
      frameSeq: 1, width: 4, height: 4, channels: 1, pixels: new Uint8Array(16), pixelSpacing: undefined, region: { x: 0, y: 0, width: 4, height: 4 },
      results: [{ modelId: 'breast-lesion', modelVersion: '0.1.0', provider: 'cpu', result: { task: 'breast-lesion', class: 'benign', confidence: 0.9, malignancyProbability: 0.05 } }],
    }, null);
    const cls = cap.measurements.find((m) => m.kind === 'lesion_class')!;
    const p = cap.measurements.find((m) => m.kind === 'malignancy_probability')!;
    expect(() => store.decide(cls.id, { decision: 'corrected', text: 'cancer', by: 'x' })).toThrow(/"cancer" is not a lesion_class; choose one of normal, benign, malignant/);
    expect(() => store.decide(cls.id, { decision: 'corrected', by: 'x' })).toThrow(/needs the corrected "text"/);
    expect(() => store.decide(p.id, { decision: 'corrected', text: 'benign', by: 'x' })).toThrow(/is a number; correct it with "value"/);
    expect(store.decide(cls.id, { decision: 'corrected', text: 'malignant', by: 'dr-c' })).toMatchObject({ aiText: 'benign', finalText: 'malignant' });
  });

  it('migrates a version-2 database: old measurements get no category, nothing is lost', async () => {
    const d2 = tempDir();
    const file = join(d2, 'v2.db');
    const Database = (await import('better-sqlite3-multiple-ciphers')).default;
    const plain = new Database(file);
    plain.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 2)) {
      plain.exec(m.sql);
      plain.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    plain.prepare("INSERT INTO exams (id, created_at) VALUES ('e', 'then')").run();
    plain.prepare("INSERT INTO captures (id, exam_id, created_at, frame_seq, width, height, channels, pixels, region_json, results_json) VALUES ('c', 'e', 'then', 0, 1, 1, 1, x'00', '{}', '[]')").run();
    plain.prepare("INSERT INTO measurements (id, capture_id, kind, ai_value, unit) VALUES ('m', 'c', 'hc', 170, 'mm')").run();
    plain.close();
    const migrated = openDatabase(file, loadOrCreateKey(join(d2, 'k'), {}));
    const exam = new ExamStore(migrated).getExam('e');
    expect(exam.examType).toBe('obstetric');
    expect(exam.captures[0]!.measurements[0]).toMatchObject({ kind: 'hc', aiValue: 170, aiText: null, finalText: null, aiGeometry: null });
    migrated.close();
  });
});
