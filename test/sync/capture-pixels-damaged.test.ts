/**
 * A stored capture whose pixel blob is shorter than the size its row declares (a damaged record: a disk
 * error, a hand-edited or partly restored database) must not cost the whole exam nor leave as a garbage
 * image. Before: buildExamInstances read past the blob's end (RangeError "offset is out of bounds", uncoded)
 * and the sync process rejected every instance of the exam; a blob one byte short was sent padded, unsaid.
 * Now that capture's two images are held on the device with SONO_CAPTURE_PIXELS_DAMAGED (a black
 * placeholder in their place) and the rest of the exam (the other capture, the reports) is built and queued.
 * Real SQLite, the row corrupted with UPDATE.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { buildNextExam, buildOrder } from '../../src/sync/exam-build.js';
import { Outbox } from '../../src/sync/outbox.js';
import { tempDir } from '../helpers/tmp.js';

const W = 64;
const H = 48;

for (const [label, length] of [
  ['100 bytes', 100],
  ['one byte short', W * H - 1],
] as const) {
  it(`a capture whose stored pixels are ${label} is held with a coded reason; the rest of the exam builds`, () => {
    const dir = tempDir('pixels-damaged-');
    const db = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'records.key'), {}));
    const store = new ExamStore(db);
    const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'ID1', birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
    const add = (seq: number) =>
      store.addCapture(
        exam.id,
        { frameSeq: seq, width: W, height: H, channels: 1, pixels: new Uint8Array(W * H).fill(90 + seq), pixelSpacing: { x: 0.2, y: 0.2 }, region: { x: 4, y: 4, width: 50, height: 40 }, results: [] },
        'm',
      );
    add(1);
    const bad = add(2);
    db.prepare('UPDATE captures SET pixels = ? WHERE id = ?').run(Buffer.alloc(length, 200), bad.id);
    const closed = store.closeExam(exam.id, 'm');
    new Outbox(db).enqueueBuild(['pacs'], exam.id, buildOrder(closed, { dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' }));

    const r = buildNextExam(db, 's', () => 10);
    expect(r, r?.error).toMatchObject({ outcome: 'built', instances: 6 }); // 2 captures × raw and overlay, 2 SRs
    const rows = db
      .prepare(`SELECT o.sop_class_uid cls, o.payload, g.state, g.reason_json FROM outbox o LEFT JOIN outbox_gate g ON g.sop_instance_uid = o.sop_instance_uid WHERE o.exam_id = ? ORDER BY o.id`)
      .all(exam.id) as Array<{ cls: string; payload: Buffer; state: string | null; reason_json: string | null }>;
    const images = rows.filter((x) => x.cls === '1.2.840.10008.5.1.4.1.1.6.1');
    expect(images.map((x) => readPart10(x.payload).InstanceNumber)).toEqual([1, 1, 2, 2]);
    // the good capture goes to the OCR gate as usual; the damaged one is held, saying why
    expect(images.map((x) => x.state)).toEqual(['checking', 'checking', 'held', 'held']);
    for (const held of images.slice(2)) {
      const reason = JSON.parse(held.reason_json!) as { code: string; message: string };
      expect(reason.code).toBe('SONO_CAPTURE_PIXELS_DAMAGED');
      expect(reason.message).toContain(`its stored pixels are ${length} bytes; ${W}×${H}×1 need ${W * H}`);
      // never the damaged bytes: a black placeholder of the declared size
      const px = new Uint8Array((readPart10(held.payload).PixelData as ArrayBuffer[])[0]!);
      expect(px.length).toBe(W * H);
      expect(px.every((v) => v === 0)).toBe(true);
    }
    expect(rows.filter((x) => x.cls === '1.2.840.10008.5.1.4.1.1.88.33')).toHaveLength(2);
    db.close();
  });
}
