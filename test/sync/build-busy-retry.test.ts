/**
 * A transient database error during an exam build (SQLITE_BUSY…) is retried and not counted as a start that
 * never finished: it used to count toward MAX_BUILD_STARTS, and after five the exam was rejected for good
 * with "the sync process stopped each time". Real SQLite; the busy error is raised by the pixel read.
 */
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { MAX_BUILD_STARTS, buildNextExam, buildOrder } from '../../src/sync/exam-build.js';
import { BUILD_CLASS, Outbox } from '../../src/sync/outbox.js';
import { tempDir } from '../helpers/tmp.js';

afterEach(() => vi.restoreAllMocks());

it('busy retries do not use up the build starts; the exam builds once the database answers', () => {
  const dir = tempDir('build-busy-');
  const db = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'records.key'), {}));
  const store = new ExamStore(db);
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'ID1', birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
  store.addCapture(
    exam.id,
    { frameSeq: 0, width: 64, height: 48, channels: 1, pixels: new Uint8Array(64 * 48).fill(90), pixelSpacing: { x: 0.2, y: 0.2 }, region: { x: 0, y: 0, width: 64, height: 48 }, results: [] },
    'm',
  );
  const closed = store.closeExam(exam.id, 'm');
  new Outbox(db).enqueueBuild(['pacs'], exam.id, buildOrder(closed, { dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' }));
  const busy = vi.spyOn(ExamStore.prototype, 'capturePixels').mockImplementation(() => {
    throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  });
  let now = Date.now();
  for (let i = 0; i < MAX_BUILD_STARTS + 2; i++) {
    const r = buildNextExam(db, 's', () => 10, now);
    expect(r).toMatchObject({ outcome: 'retry' });
    expect(r!.error).toMatch(/SQLITE_BUSY.*trying again/);
    now += 1000;
  }
  expect(db.prepare(`SELECT attempts FROM outbox WHERE sop_class_uid = '${BUILD_CLASS}'`).pluck().get()).toBe(0);
  busy.mockRestore();
  expect(buildNextExam(db, 's', () => 10, now)).toMatchObject({ outcome: 'built' });
  db.close();
});
