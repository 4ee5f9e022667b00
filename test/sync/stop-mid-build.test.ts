/**
 * Stopping the sync process while it builds an exam (real SyncService, real child process, real SQLite): the
 * build is synchronous, so the process answers a stop only when it is over; stop() used to kill it after 5 s,
 * and each kill counted toward MAX_BUILD_STARTS (5 daemon restarts during a build rejected the exam for
 * good). A stop now waits for a build in progress: the exam is built and queued, no start left counted.
 * The idle wait is set far below the build's time here, so only the wait for the build can let it finish.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { buildOrder } from '../../src/sync/exam-build.js';
import { BUILD_CLASS, Outbox } from '../../src/sync/outbox.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { tempDir } from '../helpers/tmp.js';

const W = 640;
const H = 480;

async function until<T>(what: string, fn: () => T | undefined | false): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('a stop during an exam build waits for it: built, nothing counted against the exam', async () => {
  const dir = tempDir('stop-mid-build-');
  const dbFile = join(dir, 'records.db');
  const dbKey = loadOrCreateKey(join(dir, 'records.key'), {});
  const db = openDatabase(dbFile, dbKey);
  const store = new ExamStore(db);
  const probe = new SimulatedProbe('p', {});
  probe.prepare();
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'ID1', birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
  for (let i = 0; i < 40; i++) {
    const px = new Uint8Array(W * H);
    probe.render(i, px);
    store.addCapture(exam.id, { frameSeq: i, width: W, height: H, channels: 1, pixels: px, pixelSpacing: { x: 0.2, y: 0.2 }, region: { x: 40, y: 40, width: 560, height: 400 }, results: [] }, 'm');
  }
  const closed = store.closeExam(exam.id, 'm');
  new Outbox(db).enqueueBuild(['pacs'], exam.id, buildOrder(closed, { dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' }));
  // a tesseract stand-in that reads no words (the gate is not under test)
  const ocrBin = join(dir, 'tesseract');
  writeFileSync(ocrBin, '#!/bin/sh\ncat > /dev/null\n');
  chmodSync(ocrBin, 0o755);
  const settings = { batchSize: 25, retryInitialMs: 50, retryMaxMs: 400, pollMs: 50, ocr: { minChars: 3, minConfidence: 80, timeoutMs: 60000, bin: ocrBin } };
  const svc = new SyncService({ dbFile, key: dbKey, targets: [{ name: 'pacs', url: 'http://127.0.0.1:9/dicom-web' }], settings, nice: 0, exportSecret: 's', stopMs: 50 }, { warn() {}, info() {} });
  svc.start();
  const buildRows = (): Array<{ attempts: number }> => db.prepare(`SELECT attempts FROM outbox WHERE sop_class_uid = '${BUILD_CLASS}'`).all() as Array<{ attempts: number }>;
  try {
    // the build has started (it counts its start first)
    await until('the build to start', () => buildRows()[0]?.attempts === 1);
    await svc.stop();
    // the build ran to its end: the build row replaced by the exam's instances
    expect(buildRows()).toEqual([]);
    expect(db.prepare(`SELECT count(*) FROM outbox WHERE exam_id = ?`).pluck().get(exam.id)).toBeGreaterThanOrEqual(40);
  } finally {
    await svc.stop();
    db.close();
  }
}, 120_000);
