/**
 * Retention (src/service/retention.ts) on a real encrypted records file: exams made by the real ExamStore,
 * their DICOM built by the real exporter and queued in the real outbox for two targets, the OCR gate's verdicts
 * through the real GateStore, signatures through the real SignatureStore, the real hash-chained audit trail.
 * Only a signed exam every target acknowledged, older than N days, with nothing held, loses its pixels; its
 * record, decisions and SR stay byte for byte, the drop is audited and the chain still verifies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { loadConfig } from '../../src/config/load.js';
import { type Db, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { RetentionJob, applyRetention } from '../../src/service/retention.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr-revision-status.js';
import { US_IMAGE_STORAGE } from '../../src/sync/us-image.js';
import { EXPORT, type Kind, TARGETS, makeExam } from './fixtures/acknowledged-exam.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;

function pixelBytes(db: Db, examId: string): { captures: number; images: number; srs: string } {
  const c = db.prepare('SELECT coalesce(sum(length(pixels)), 0) n FROM captures WHERE exam_id = ?').get(examId) as { n: number };
  const i = db.prepare('SELECT coalesce(sum(length(payload)), 0) n FROM outbox WHERE exam_id = ? AND sop_class_uid = ?').get(examId, US_IMAGE_STORAGE) as { n: number };
  const srs = db.prepare('SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = ? ORDER BY id').all(examId, COMPREHENSIVE_SR) as Array<{ payload: Buffer }>;
  const h = createHash('sha256');
  srs.forEach((r) => h.update(r.payload));
  return { captures: c.n, images: i.n, srs: `${srs.length}:${h.digest('hex')}` };
}

/** Everything but the pixels: the exam, its measurements and their decision history. */
function record(db: Db, examId: string): unknown {
  return {
    exam: db.prepare('SELECT * FROM exams WHERE id = ?').get(examId),
    captures: db.prepare('SELECT id, width, height, channels, region_json, results_json FROM captures WHERE exam_id = ?').all(examId),
    measurements: db.prepare('SELECT m.* FROM measurements m JOIN captures c ON c.id = m.capture_id WHERE c.exam_id = ? ORDER BY m.id').all(examId),
    decisions: db.prepare('SELECT d.* FROM measurement_decisions d JOIN measurements m ON m.id = d.measurement_id JOIN captures c ON c.id = m.capture_id WHERE c.exam_id = ? ORDER BY d.id').all(examId),
  };
}

describe('retention: drop pixels of acknowledged, signed exams after N days', () => {
  const dir = tempDir('sonoedge-retention-');
  const file = join(dir, 'records.db');
  const key = randomBytes(32).toString('hex');
  const secret = randomBytes(32).toString('hex');

  it('drops only the due exam, keeps its record and SR, audits it, and a second pass changes nothing', () => {
    const db = openDatabase(file, key);
    const audit = new AuditTrail(db, secret);
    const ids = Object.fromEntries((['due', 'unsigned', 'pending', 'held', 'one-target', 'rejected'] as Kind[]).map((k) => [k, makeExam(db, k)])) as Record<Kind, string>;
    const before = Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, { px: pixelBytes(db, id), rec: record(db, id) }]));
    expect(before.due!.px.captures).toBeGreaterThan(0);
    expect(before.due!.px.images).toBeGreaterThan(0);

    // not yet N days: nothing; no target configured: nothing (this device would hold the only copy)
    expect(applyRetention(db, audit, { days: 30, targets: TARGETS, now: new Date(Date.now() + 29 * DAY) }).dropped).toEqual([]);
    expect(applyRetention(db, audit, { days: 30, targets: [], now: new Date(Date.now() + 31 * DAY) }).dropped).toEqual([]);

    const run = applyRetention(db, audit, { days: 30, targets: TARGETS, now: new Date(Date.now() + 31 * DAY) });
    expect(run.dropped.map((d) => d.examId)).toEqual([ids.due]);
    expect(run.dropped[0]).toMatchObject({ captures: 1, images: 4, bytes: before.due!.px.captures + before.due!.px.images });

    const after = pixelBytes(db, ids.due);
    expect(after).toEqual({ captures: 0, images: 0, srs: before.due!.px.srs });
    expect(record(db, ids.due)).toEqual(before.due!.rec);
    for (const k of ['unsigned', 'pending', 'held', 'one-target', 'rejected'] as const) {
      expect(pixelBytes(db, ids[k]), k).toEqual(before[k]!.px);
    }

    const rows = audit.list({ action: 'retention.drop-pixels' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'retention.drop-pixels', target: ids.due, outcome: 'ok', client: 'daemon', user: null });
    expect(rows[0]!.details).toMatchObject({ afterDays: 30, captures: 1, images: 4, bytes: run.dropped[0]!.bytes });
    expect(JSON.stringify(rows[0])).not.toContain('DOE');
    expect(audit.verify().ok).toBe(true);

    // a dropped capture reads as a black frame of its size, so an amended SR (or a PDF report) is still made
    const store = new ExamStore(db);
    const exam = store.getExam(ids.due);
    const px = store.capturePixels(exam.captures[0]!.id);
    expect(px.pixels.length).toBe(px.width * px.height * px.channels);
    expect(px.pixels.every((v) => v === 0)).toBe(true);
    expect(buildExamInstances(exam, (id) => store.capturePixels(id), EXPORT).filter((i) => i.sopClassUid === COMPREHENSIVE_SR).length).toBeGreaterThan(0);

    expect(applyRetention(db, audit, { days: 30, targets: TARGETS, now: new Date(Date.now() + 400 * DAY) }).dropped).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('the job runs nothing while dropPixelsAfterDays is 0, and drops what is due once it is set', async () => {
    const db = openDatabase(file, key);
    const audit = new AuditTrail(db, secret);
    const id = makeExam(db, 'due');
    const settings = { retention: { dropPixelsAfterDays: 0, checkIntervalMinutes: 60 }, targets: TARGETS };
    const runs: number[] = [];
    const job = new RetentionJob({ db, audit, settings: () => settings, onRun: (r) => runs.push(r.dropped.length) });
    expect(await job.runNow(new Date(Date.now() + 1000 * DAY))).toBeUndefined();
    expect(pixelBytes(db, id).captures).toBeGreaterThan(0);
    settings.retention.dropPixelsAfterDays = 7;
    expect((await job.runNow(new Date(Date.now() + 6 * DAY)))!.dropped).toEqual([]);
    expect((await job.runNow(new Date(Date.now() + 8 * DAY)))!.dropped.map((d) => d.examId)).toEqual([id]);
    expect(job.lastRun!.dropped).toHaveLength(1);
    expect(runs).toEqual([0, 1]);
    expect(pixelBytes(db, id)).toMatchObject({ captures: 0, images: 0 });
    db.close();
  });

  it('config: storage.retention defaults to keeping pixels, takes its two keys and refuses others', () => {
    expect(loadConfig(undefined, { env: {} }).config.storage.retention).toEqual({ dropPixelsAfterDays: 0, checkIntervalMinutes: 60 });
    const set = loadConfig(undefined, { env: {}, overrides: [[['storage', 'retention', 'dropPixelsAfterDays'], 90]] }).config.storage;
    expect(set.retention).toEqual({ dropPixelsAfterDays: 90, checkIntervalMinutes: 60 });
    expect(set.refuseFreeMb).toBe(256);
    expect(() => loadConfig(undefined, { env: {}, overrides: [[['storage', 'retention', 'keepDays'], 1]] })).toThrow(/keepDays/);
  });
});
