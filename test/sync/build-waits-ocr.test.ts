/**
 * The exam builds and the OCR gate share the sync process's event loop (real loops, real SQLite, real
 * tesseract): a build runs synchronously for seconds, and one started while a tesseract run was in flight
 * charged its seconds to that run's deadline, so images were held as SONO_OCR_FAILED ("no answer") after
 * three such runs (review s14: 12 exams of 40 captures, deadline 1200 ms, two images held). The build loop
 * now waits for the gate to be idle; no image may be held for a failed OCR run.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { OcrGateLoop } from '../../src/ocr/check-loop.js';
import { ExamBuildLoop } from '../../src/sync/build-loop.js';
import { buildNextExam } from '../../src/sync/exam-build.js';
import { tempDir } from '../helpers/tmp.js';
import { wiredSync } from './wired-sync.js';

const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;
const SECRET = 's';
const W = 640;
const H = 480;

it.skipIf(!hasTesseract)(
  'OCR runs are not failed by exam builds on the same event loop',
  async () => {
    const dir = tempDir('build-waits-ocr-');
    const { db, store, sync } = wiredSync(dir, [{ name: 'pacs', url: 'http://127.0.0.1:9/dicom-web' }], SECRET);
    const probe = new SimulatedProbe('p', {});
    probe.prepare();
    const mk = (n: number): void => {
      const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'ID1', birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
      for (let i = 0; i < n; i++) {
        const px = new Uint8Array(W * H);
        probe.render(i, px);
        store.addCapture(exam.id, { frameSeq: i, width: W, height: H, channels: 1, pixels: px, pixelSpacing: { x: 0.2, y: 0.2 }, region: { x: 40, y: 40, width: 560, height: 400 }, results: [] }, 'm');
      }
      store.closeExam(exam.id, 'm', sync.onExamClosed);
    };
    // a first exam built: its images wait for the gate while the others build
    mk(4);
    buildNextExam(db, SECRET, () => 1000);
    for (let k = 0; k < 12; k++) mk(40);
    const ocr = new OcrGateLoop(db, { minChars: 3, minConfidence: 80, timeoutMs: 1200, pollMs: 50, retryMs: 50, attempts: 3 }, () => undefined);
    const build = new ExamBuildLoop(
      db,
      SECRET,
      { pollMs: 50, retryInitialMs: 1000, retryMaxMs: 5000 },
      () => ocr.poke(),
      undefined,
      () => ocr.idle(),
    );
    ocr.start();
    build.start();
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    const builds = (): number => count("SELECT count(*) n FROM outbox WHERE sop_class_uid = 'sonoedge:build-exam'");
    // the gate reads while the builds run (reading all 484 images would take minutes); the failures came then
    while (builds() > 0) await new Promise((r) => setTimeout(r, 100));
    await build.stop();
    await ocr.stop();
    const failed = db.prepare("SELECT count(*) n FROM outbox_gate WHERE json_extract(reason_json, '$.code') = 'SONO_OCR_FAILED'").get() as { n: number };
    expect(failed.n).toBe(0);
    expect(count('SELECT count(*) n FROM outbox_gate')).toBeGreaterThanOrEqual(4 + 12 * 40);
    db.close();
  },
  600_000,
);
