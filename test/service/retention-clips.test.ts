/**
 * Retention of cine clips (src/service/retention.ts) on a real encrypted records file: clips saved through the
 * real ClipStore, exported at close by the real exporter as US Multi-frame images, queued in the real outbox for
 * two targets, gated by the real GateStore, signed through the real SignatureStore, audited in the real
 * hash-chained trail. A due exam's clip frames and its sent multi-frame images go like its captures' pixels,
 * also when the exam has only clips; a clip whose image is not sent yet, or held for review, keeps them.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { GateStore } from '../../src/ocr/gate-store.js';
import { ClipStore } from '../../src/records/clip-store.js';
import { type Db, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { SignatureStore } from '../../src/records/signatures.js';
import { applyRetention } from '../../src/service/retention.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { Outbox } from '../../src/sync/outbox.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr-revision-status.js';
import { US_IMAGE_STORAGE } from '../../src/sync/us-image.js';
import { US_MULTIFRAME_STORAGE } from '../../src/sync/us-multiframe.js';
import { tempDir } from '../helpers/tmp.js';
import { EXPORT, TARGETS } from './fixtures/acknowledged-exam.js';

const DAY = 86_400_000;
const W = 64;
const H = 48;
const FRAMES = 6;

type ClipKind = 'due' | 'clip-pending' | 'clip-held';

/** A closed, signed exam with one clip (and a capture unless `clipOnly`), queued for both targets. */
function makeClipExam(db: Db, kind: ClipKind, clipOnly: boolean): string {
  const store = new ExamStore(db);
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'PID-1', birthDate: '19900214', sex: 'F' }, datingGaWeeks: 22 });
  const region = { x: 4, y: 4, width: 56, height: 40 };
  const frame = (seed: number): Uint8Array => Uint8Array.from({ length: W * H }, (_, i) => ((i * 7 + seed) % 200) + 20);
  if (!clipOnly) store.addCapture(exam.id, { frameSeq: 1, width: W, height: H, channels: 1, pixels: frame(1), pixelSpacing: { x: 0.3, y: 0.3 }, region, results: [] }, 'midwife-a');
  const seqs = Array.from({ length: FRAMES }, (_, i) => 10 + i);
  const pixels = new Uint8Array(W * H * FRAMES);
  seqs.forEach((s, i) => pixels.set(frame(s), i * W * H));
  const clips = new ClipStore(db);
  clips.addClipOnce(exam.id, { width: W, height: H, channels: 1, seqs, timestampsMs: seqs.map((s) => 5000 + s * 33.3), region, pixelSpacing: { x: 0.3, y: 0.3 }, pixels }, 'midwife-a');
  const closed = store.closeExam(exam.id, 'midwife-a');
  const instances = buildExamInstances(closed, (id) => store.capturePixels(id), { ...EXPORT, clips: clips.clipsForExport(exam.id) });
  const outbox = new Outbox(db);
  for (const t of TARGETS) outbox.enqueue(t, exam.id, instances);
  const gate = new GateStore(db);
  for (const i of instances.filter((x) => x.gate))
    gate.checked(i.sopInstanceUid, kind === 'clip-held' && i.sopClassUid === US_MULTIFRAME_STORAGE ? { code: 'SONO_BURNED_IN_TEXT', message: 'text' } : undefined);
  const rows = db.prepare('SELECT id, sop_class_uid c FROM outbox WHERE exam_id = ? ORDER BY id').all(exam.id) as Array<{ id: number; c: string }>;
  const keepUnsent = (r: { c: string }): boolean => kind !== 'due' && r.c === US_MULTIFRAME_STORAGE;
  outbox.markSent(rows.filter((r) => !keepUnsent(r)).map((r) => r.id));
  new SignatureStore(db).addRevision(exam.id, { kind: 'signature', by: 'dr-a', at: new Date() }, () => undefined);
  return exam.id;
}

function bytes(db: Db, examId: string): { captures: number; clips: number; images: number; multiframes: number; srs: number } {
  const sum = (sql: string, ...args: unknown[]): number => (db.prepare(sql).get(examId, ...args) as { n: number }).n;
  return {
    captures: sum('SELECT coalesce(sum(length(pixels)), 0) n FROM captures WHERE exam_id = ?'),
    clips: sum('SELECT coalesce(sum(length(pixels)), 0) n FROM clips WHERE exam_id = ?'),
    images: sum('SELECT coalesce(sum(length(payload)), 0) n FROM outbox WHERE exam_id = ? AND sop_class_uid = ?', US_IMAGE_STORAGE),
    multiframes: sum('SELECT coalesce(sum(length(payload)), 0) n FROM outbox WHERE exam_id = ? AND sop_class_uid = ?', US_MULTIFRAME_STORAGE),
    srs: sum('SELECT coalesce(sum(length(payload)), 0) n FROM outbox WHERE exam_id = ? AND sop_class_uid = ?', COMPREHENSIVE_SR),
  };
}

describe('retention: cine clips go with the captures, under the same rules', () => {
  it('drops the frames and sent multi-frame images of due exams (clips only, or clips and captures), keeps an unsent or held clip, audits each drop', () => {
    const dir = tempDir('sonoedge-retention-clips-');
    const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
    const audit = new AuditTrail(db, randomBytes(32).toString('hex'));
    const ids = {
      clipOnly: makeClipExam(db, 'due', true),
      both: makeClipExam(db, 'due', false),
      pending: makeClipExam(db, 'clip-pending', false),
      held: makeClipExam(db, 'clip-held', true),
    };
    const before = Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, bytes(db, id)])) as Record<keyof typeof ids, ReturnType<typeof bytes>>;
    expect(before.clipOnly.clips).toBe(W * H * FRAMES);
    expect(before.clipOnly.multiframes).toBeGreaterThan(W * H * FRAMES);
    expect(before.clipOnly.captures).toBe(0);
    expect(before.both.captures).toBeGreaterThan(0);

    expect(applyRetention(db, audit, { days: 30, targets: TARGETS, now: new Date(Date.now() + 29 * DAY) }).dropped).toEqual([]);
    const run = applyRetention(db, audit, { days: 30, targets: TARGETS, now: new Date(Date.now() + 31 * DAY) });
    expect(run.dropped.map((d) => d.examId).sort()).toEqual([ids.clipOnly, ids.both].sort());
    const clipOnly = run.dropped.find((d) => d.examId === ids.clipOnly)!;
    expect(clipOnly).toMatchObject({ captures: 0, clips: 1, images: 2, bytes: before.clipOnly.clips + before.clipOnly.multiframes });
    expect(run.dropped.find((d) => d.examId === ids.both)).toMatchObject({ captures: 1, clips: 1, images: 6 });

    for (const k of ['clipOnly', 'both'] as const) expect(bytes(db, ids[k]), k).toEqual({ captures: 0, clips: 0, images: 0, multiframes: 0, srs: before[k].srs });
    for (const k of ['pending', 'held'] as const) expect(bytes(db, ids[k]), k).toEqual(before[k]);

    // the clip's record stays listed; its frames read back as black frames of its size
    const clips = new ClipStore(db);
    expect(clips.listClips(ids.clipOnly)).toHaveLength(1);
    const [dropped] = clips.clipsForExport(ids.clipOnly);
    expect(dropped!.pixels.length).toBe(W * H * FRAMES);
    expect(dropped!.pixels.every((v) => v === 0)).toBe(true);

    const rows = audit.list({ action: 'retention.drop-pixels' });
    expect(rows.map((r) => r.target).sort()).toEqual([ids.clipOnly, ids.both].sort());
    expect(rows.find((r) => r.target === ids.clipOnly)!.details).toMatchObject({ afterDays: 30, captures: 0, clips: 1, images: 2, bytes: clipOnly.bytes });
    expect(JSON.stringify(rows)).not.toContain('DOE');
    expect(audit.verify().ok).toBe(true);

    expect(applyRetention(db, audit, { days: 30, targets: TARGETS, now: new Date(Date.now() + 400 * DAY) }).dropped).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
