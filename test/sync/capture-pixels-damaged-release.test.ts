/**
 * The placeholder of a damaged capture (test/sync/capture-pixels-damaged.test.ts) is never released: as it is
 * or masked (a mask would send the black placeholder through the OCR and out), POST /api/sync/items/:id/release
 * answers 409 SONO_CAPTURE_PIXELS_DAMAGED and the item stays held. Real app, real encrypted SQLite.
 */
import { expect, it } from 'vitest';
import { GateStore } from '../../src/ocr/gate-store.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { buildNextExam, buildOrder } from '../../src/sync/exam-build.js';
import { Outbox } from '../../src/sync/outbox.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { US_IMAGE_STORAGE } from '../../src/sync/us-image.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';

it('a damaged capture held on the device cannot be released, masked or not', async () => {
  const t = await buildTestApp();
  const tech = await addTokenUser(t.runtime.access.services, 'technician', 'tech-tom');
  const outbox = new Outbox(t.db);
  const quiet = { warn() {}, info() {} };
  t.runtime.sync = { outbox, worker: new SyncService({ dbFile: '', key: '', targets: [{ name: 'pacs', url: 'http://127.0.0.1:9/dicom-web' }], settings: t.runtime.config.sync }, quiet) };
  const store = new ExamStore(t.db);
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'MRN-1' } });
  const cap = store.addCapture(
    exam.id,
    { frameSeq: 1, width: 64, height: 48, channels: 1, pixels: new Uint8Array(64 * 48).fill(90), pixelSpacing: { x: 0.2, y: 0.2 }, region: { x: 4, y: 4, width: 50, height: 40 }, results: [] },
    null,
  );
  t.db.prepare('UPDATE captures SET pixels = ? WHERE id = ?').run(Buffer.alloc(10, 1), cap.id);
  outbox.enqueueBuild(['pacs'], exam.id, buildOrder(store.closeExam(exam.id, null), { dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' }));
  expect(buildNextExam(t.db, 's', () => 10)).toMatchObject({ outcome: 'built' });
  const held = outbox.items().filter((i) => i.sopClassUid === US_IMAGE_STORAGE);
  expect(held.map((i) => i.state)).toEqual(['held', 'held']);
  for (const payload of [{}, { mask: [{ x: 0, y: 0, width: 10, height: 10 }] }]) {
    const r = await t.app.inject({ method: 'POST', url: `/api/sync/items/${held[0]!.id}/release`, headers: { ...tech.headers, 'content-type': 'application/json' }, payload });
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json()).toMatchObject({ code: 'SONO_CAPTURE_PIXELS_DAMAGED' });
    expect(r.json<{ message: string }>().message).toMatch(/stored pixels are 10 bytes; 64×48×1 need 3072/);
  }
  expect(new GateStore(t.db).get(held[0]!.sopInstanceUid)).toMatchObject({ state: 'held' });
  await t.close();
});
