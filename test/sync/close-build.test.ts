/**
 * Closing queues the exam's build, not its DICOM (src/sync/exam-build.ts): the closing transaction writes one
 * build row per target through the real wiring (real encrypted SQLite file), the builder then queues byte for
 * byte what building at close wrote (every kind of instance, the OCR gate's entries), even after a decision
 * made after closing; a report revision queued while the build waits is not due and ends up after the
 * images; a build that fails is a coded, rejected row and the next exam is built all the same.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipStore } from '../../src/records/clip-store.js';
import type { Db } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { decideMeasurement } from '../../src/records/late-decision.js';
import { MAX_BUILD_STARTS, buildNextExam } from '../../src/sync/exam-build.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { BUILD_CLASS } from '../../src/sync/outbox.js';
import { REVISION_QUIET_MS } from '../../src/sync/revision-coalesce.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';
import { type WiredSync, wiredSync } from './wired-sync.js';

const SECRET = 'close-build-secret';
const TARGETS = ['pacs', 'archive'];
const W = 160;
const H = 120;
const delay = (): number => 1000;

function wired(dir: string): WiredSync {
  return wiredSync(
    dir,
    TARGETS.map((name) => ({ name, url: 'http://127.0.0.1:9/dicom-web' })),
    SECRET,
  );
}

/** An obstetric exam with captures (one without a region: held), a clip, one measurement left undecided. */
function openExam(store: ExamStore, db: Db, name: string, captures = 3): string {
  const exam = store.createExam({ patient: { name, id: `ID-${name}`, birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
  for (let i = 0; i < captures; i++) {
    const px = Uint8Array.from({ length: W * H }, (_, j) => ((j * 7 + i * 13) % 200) + 20);
    const region = i === 1 ? { x: 0, y: 0, width: W, height: H } : { x: 20, y: 10, width: 120, height: 100 };
    const ellipse = { cx: 80, cy: 60, semiMajor: 40, semiMinor: 30, angleDeg: 10 + i };
    const cap = store.addCapture(
      exam.id,
      {
        frameSeq: i,
        width: W,
        height: H,
        channels: 1,
        pixels: px,
        pixelSpacing: { x: 0.3, y: 0.3 },
        region,
        results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175 + i, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse } as never }],
      },
      'midwife-a',
    );
    // the HC corrected, the rest left undecided (one is decided after closing below)
    store.decide(cap.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'corrected', value: 178.4 + i, by: 'Dr Alice Martin' });
  }
  const frames = Uint8Array.from({ length: 64 * 48 * 3 }, (_, j) => (j * 5) % 251);
  new ClipStore(db).addClipOnce(
    exam.id,
    { width: 64, height: 48, channels: 1, seqs: [10, 11, 12], timestampsMs: [1000, 1033, 1066], region: { x: 4, y: 4, width: 56, height: 40 }, pixelSpacing: { x: 0.3, y: 0.3 }, pixels: frames },
    'midwife-a',
  );
  return exam.id;
}

/** What closing built and queued before builds were queued instead: the same call, the same options. */
function oldPath(db: Db, store: ExamStore, examId: string): ReturnType<typeof buildExamInstances> {
  const softwareVersion = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const deviceSerial = createHash('sha256')
    .update('serial:' + SECRET)
    .digest('hex')
    .slice(0, 12);
  const clips = new ClipStore(db).clipsForExport(examId);
  return buildExamInstances(store.getExam(examId), (id) => store.capturePixels(id), { secret: SECRET, dates: 'shift', deviceSerial, softwareVersion, deidentified: true, clips });
}

const rowsOf = (db: Db, examId: string, target: string): Array<{ id: number; uid: string; cls: string; payload: Buffer; state: string; last_error: string | null }> =>
  db.prepare('SELECT id, sop_instance_uid uid, sop_class_uid cls, payload, state, last_error FROM outbox WHERE exam_id = ? AND target = ? ORDER BY id').all(examId, target) as never;

describe('closing queues the build; the builder queues what closing built', () => {
  it('the same bytes and gate entries for every target, revisions queued meanwhile after the images', () => {
    const { db, store, sync } = wired(tempDir('sonoedge-close-build-'));
    const examId = openExam(store, db, 'DOE^JANE');
    store.closeExam(examId, 'midwife-a', sync.onExamClosed);
    const expected = oldPath(db, store, examId);
    // the closing transaction wrote the build rows only: nothing encoded, nothing due, the exam pending
    for (const t of TARGETS) {
      expect(rowsOf(db, examId, t).map((r) => [r.cls, r.uid])).toEqual([[BUILD_CLASS, `build:${examId}`]]);
      expect(sync.outbox.due(t, 100)).toEqual([]);
      expect(sync.outbox.nextAttemptAt(t)).toBeUndefined();
    }
    expect(sync.outbox.examState(examId)).toBe('pending');
    expect(db.prepare('SELECT count(*) n FROM outbox_gate').get()).toEqual({ n: 0 });
    // before the build: a measurement nobody decided is decided, which queues an amendment (revision 1)
    const undecided = store.getExam(examId).captures[0]!.measurements.find((m) => m.kind === 'bpd')!;
    let amendment: { srUid: string; obSrUid: string | null } | undefined;
    decideMeasurement(db, store, undecided.id, { decision: 'confirmed', by: 'Dr Bob Stone' }, (exam, revision, at, notes) => (amendment = sync.reports.revise(exam, { revision, at, notes })));
    const revisionUids = [amendment!.srUid, amendment!.obSrUid!];
    for (const t of TARGETS) expect(sync.outbox.due(t, 100)).toEqual([]); // the amendment waits for the images

    expect(buildNextExam(db, SECRET, delay)).toEqual({ examId, outcome: 'built', instances: expected.length });
    expect(buildNextExam(db, SECRET, delay)).toBeUndefined();
    for (const t of TARGETS) {
      const rows = rowsOf(db, examId, t);
      // every instance closing built, in its order and byte for byte (revision 0 as closed, not with the later decision), then the amendment
      expect(rows.map((r) => r.uid)).toEqual([...expected.map((i) => i.sopInstanceUid), ...revisionUids]);
      expect(rows.slice(0, expected.length).map((r) => createHash('sha256').update(r.payload).digest('hex'))).toEqual(expected.map((i) => createHash('sha256').update(i.bytes).digest('hex')));
      expect(rows.slice(expected.length).every((r) => r.cls === COMPREHENSIVE_SR && r.state === 'pending')).toBe(true);
    }
    const gates = db.prepare('SELECT sop_instance_uid uid, state FROM outbox_gate ORDER BY sop_instance_uid').all();
    const expectedGates = expected
      .filter((i) => i.gate)
      .map((i) => ({ uid: i.sopInstanceUid, state: 'hold' in i.gate! ? 'held' : 'checking' }))
      .sort((a, b) => (a.uid < b.uid ? -1 : 1));
    expect(gates).toEqual(expectedGates);
    expect(expectedGates.map((g) => g.state).sort()).toEqual(['checking', 'checking', 'checking', 'checking', 'checking', 'held', 'held']);
    // now due: the reports (the images wait for the OCR gate, as they always did), the amendment last once its
    // quiet period is over (a newer revision would replace it until then: src/sync/revision-coalesce.ts)
    const due = sync.outbox.due('pacs', 100, Date.now() + REVISION_QUIET_MS).map((d) => d.sopInstanceUid);
    expect(due.slice(-2)).toEqual(revisionUids);
    expect(due.length).toBe(4);
    db.close();
  });

  it('a build that fails is a coded, rejected row that holds back its reports; the next exam is built', () => {
    const { db, store, sync } = wired(tempDir('sonoedge-close-build-fail-'));
    const broken = openExam(store, db, 'ROE^ANNA', 2);
    const fine = openExam(store, db, 'POE^EVA', 2);
    store.closeExam(broken, null, sync.onExamClosed);
    store.closeExam(fine, null, sync.onExamClosed);
    sync.reports.revise(store.getExam(broken), { revision: 1, at: new Date('2026-03-04T10:20:30Z'), notes: ['signed'] });
    // then a capture's stored imaging region is found unreadable
    db.prepare("UPDATE captures SET region_json = '{not json' WHERE exam_id = ?").run(broken);

    const failed = buildNextExam(db, SECRET, delay)!;
    expect(failed).toMatchObject({ examId: broken, outcome: 'failed' });
    expect(buildNextExam(db, SECRET, delay)).toMatchObject({ examId: fine, outcome: 'built' });
    expect(buildNextExam(db, SECRET, delay)).toBeUndefined();
    for (const t of TARGETS) {
      const [build, ...rest] = rowsOf(db, broken, t);
      expect(build).toMatchObject({ cls: BUILD_CLASS, state: 'rejected' });
      expect(build!.last_error).toMatch(/^SONO_EXPORT_INVALID: this exam's DICOM could not be built \(.*JSON.*\); nothing of the exam is sent\. .*report exam /);
      // the signed report waits for images that were never built
      expect(rest.map((r) => r.cls)).toEqual([COMPREHENSIVE_SR, COMPREHENSIVE_SR]);
      expect(sync.outbox.due(t, 100).every((d) => d.examId === fine)).toBe(true);
      expect(sync.outbox.due(t, 100).length).toBeGreaterThan(0);
    }
    // shown on the sync page as delivery errors are
    const shown = sync.outbox.items().find((i) => i.examId === broken && i.sopClassUid === BUILD_CLASS)!;
    expect(shown).toMatchObject({ state: 'rejected', lastError: failed.error });
    expect(sync.outbox.examState(broken)).toBe('rejected');
    expect(sync.outbox.examState(fine)).toBe('pending');
    db.close();
  });

  it(`a build started ${MAX_BUILD_STARTS} times without finishing (its process killed each time) is not started again`, () => {
    const { db, store, sync } = wired(tempDir('sonoedge-close-build-starts-'));
    const examId = openExam(store, db, 'LOE^IDA', 1);
    store.closeExam(examId, null, sync.onExamClosed);
    db.prepare('UPDATE outbox SET attempts = ? WHERE exam_id = ?').run(MAX_BUILD_STARTS, examId);
    expect(buildNextExam(db, SECRET, delay)).toMatchObject({ examId, outcome: 'failed' });
    const items = sync.outbox.items();
    expect(items.map((i) => i.state)).toEqual(TARGETS.map(() => 'rejected'));
    for (const i of items) expect(i.lastError).toMatch(new RegExp(`^SONO_EXPORT_INVALID: building this exam's DICOM was started ${MAX_BUILD_STARTS} times and never finished`));
    db.close();
  });
});
