/**
 * A report revision (signature, amendment, late decision, adjudication) builds only its SR instances: the
 * real sync wiring (wireSync over a real encrypted SQLite file) reads no capture's pixels for it on a
 * 64-capture exam, queues only the two reports, and the SR-only builder writes byte for byte what the full
 * export writes for that revision (every kind of instance, both date modes, de-identified or not).
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wireSync } from '../../src/app/sync-wiring.js';
import { loadConfig } from '../../src/config/load.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { buildNextExam } from '../../src/sync/exam-build.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { buildExamReportInstances } from '../../src/sync/export-sr.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { tempDir } from '../helpers/tmp.js';
import { everyKindExam } from './every-kind-exam.js';

const N = 64;

function bigClosedExam(store: ExamStore): string {
  const w = 320;
  const h = 240;
  const px = new Uint8Array(w * h).fill(60);
  const exam = store.createExam({ patient: { name: 'ROE^MARY', id: 'BIG-SR', birthDate: '19910305', sex: 'F' }, datingGaWeeks: 21 });
  for (let i = 0; i < N; i++) {
    // capture 5: a grabber's whole screen, no region set (withheld, counted in the report)
    const region = i === 5 ? { x: 0, y: 0, width: w, height: h } : { x: 40, y: 30, width: 240, height: 200, origin: 'set' as const };
    const ellipse = { cx: 160, cy: 130, semiMajor: 60, semiMinor: 48, angleDeg: 10 };
    const cap = store.addCapture(
      exam.id,
      {
        frameSeq: i,
        width: w,
        height: h,
        channels: 1,
        pixels: px,
        pixelSpacing: { x: 0.3, y: 0.3 },
        region,
        results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175 + i / 10, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse } as never }],
      },
      null,
    );
    for (const m of cap.measurements) store.decide(m.id, { decision: 'confirmed', by: 'Dr Alice Martin' });
  }
  store.closeExam(exam.id, null);
  return exam.id;
}

afterEach(() => vi.restoreAllMocks());

describe('report revisions build only their SRs', () => {
  it('the real wiring reads no pixels to sign a 64-capture exam and queues only its two reports; closing still queues every image', () => {
    const dir = tempDir('sonoedge-sr-only-');
    const dbFile = join(dir, 'records.db');
    const dbKey = loadOrCreateKey(join(dir, 'records.key'), {});
    const db = openDatabase(dbFile, dbKey);
    const store = new ExamStore(db);
    const loaded = loadConfig(undefined, {
      env: {},
      overrides: [
        [['dataDir'], dir],
        [['sync', 'targets'], [{ name: 'pacs', url: 'http://127.0.0.1:9/dicom-web' }]],
      ],
    });
    const sync = wireSync(loaded, db, store, { dbFile, dbKey, deviceSecret: 'sr-only-secret' }, pino({ level: 'silent' }));
    const examId = bigClosedExam(store);
    const pixels = vi.spyOn(ExamStore.prototype, 'capturePixels');
    const exam = store.getExam(examId);
    const sent = sync.reports.revise(exam, {
      revision: 1,
      at: new Date('2026-03-04T10:20:30Z'),
      verification: { observerName: 'Dr Ada Byron', organization: 'Maternity unit', at: new Date('2026-03-04T10:20:30Z') },
    });
    expect(pixels).not.toHaveBeenCalled();
    const rows = db.prepare('SELECT sop_instance_uid, sop_class_uid FROM outbox WHERE exam_id = ? ORDER BY id').all(examId) as Array<{ sop_instance_uid: string; sop_class_uid: string }>;
    expect(rows.map((r) => r.sop_class_uid)).toEqual([COMPREHENSIVE_SR, COMPREHENSIVE_SR]);
    expect(rows.map((r) => r.sop_instance_uid)).toEqual([sent.srUid, sent.obSrUid]);
    // closing (revision 0) is unchanged: every capture's raw and overlay image, and the two reports, built
    // from the build row closing queues by the builder the sync process runs (src/sync/exam-build.ts)
    sync.onExamClosed(exam);
    expect(pixels).not.toHaveBeenCalled();
    expect(buildNextExam(db, 'sr-only-secret', () => 1000)).toMatchObject({ examId, outcome: 'built' });
    expect(pixels).toHaveBeenCalledTimes(N);
    expect((db.prepare('SELECT count(*) n FROM outbox WHERE exam_id = ?').get(examId) as { n: number }).n).toBe(2 + 2 * N + 2);
    db.close();
  });

  it('writes the same report bytes as the full export, in every mode and revision', () => {
    const { store, exam, clip, late, signedAt } = everyKindExam(tempDir('sonoedge-sr-same-'));
    const withheld = store.getExam(bigClosedExam(store));
    const signed = { revision: late.revision, at: late.at, notes: late.notes, verification: { observerName: 'Dr Ada Byron', organization: 'Maternity unit', at: signedAt } };
    const same = (e: typeof exam, o: { dates: 'shift' | 'remove'; deidentified: boolean; report?: typeof signed }): void => {
      const opts = { secret: 'same-secret', deviceSerial: 'SN-1', softwareVersion: '0.1.0', ...o };
      const full = buildExamInstances(e, (id) => store.capturePixels(id), { ...opts, clips: [clip] }).filter((i) => i.sopClassUid === COMPREHENSIVE_SR);
      const only = buildExamReportInstances(e, (id) => store.capturePixels(id), opts);
      expect(only.map((i) => i.sopInstanceUid)).toEqual(full.map((i) => i.sopInstanceUid));
      expect(only.map((i) => i.bytes.toString('base64'))).toEqual(full.map((i) => i.bytes.toString('base64')));
    };
    for (const dates of ['shift', 'remove'] as const) for (const deidentified of [true, false]) for (const report of [undefined, signed]) same(exam, { dates, deidentified, report });
    same(withheld, { dates: 'shift', deidentified: true, report: signed });
    // the withheld capture is counted in the report built without pixels too
    const note = buildExamReportInstances(withheld, (id) => store.capturePixels(id), { secret: 's', deviceSerial: 'SN', softwareVersion: '0', dates: 'shift', deidentified: false })[0]!;
    expect(JSON.stringify(note.dataset)).toContain('1 image(s) withheld');
  });
});
