/**
 * The OCR gate against the exam's own identifiers (real tesseract from Debian, real SQLite). Fixtures are
 * made here from the simulated probe's frames: a name and ID drawn white at 14 px over tissue, and drawn
 * vertically (read top to bottom, and bottom to top). The gray pass with the text rules (confidence 80,
 * 3 characters) lets all three go, as it did before the identifiers and the bright passes; now each is held
 * as patient data, with boxes that, masked, leave nothing to find. Plain frames are not held.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { burnedText } from '../../src/ocr/burned-text.js';
import { OcrGateLoop, checkPayload } from '../../src/ocr/check-loop.js';
import { GateStore } from '../../src/ocr/gate-store.js';
import { identifiersOf } from '../../src/ocr/identifiers.js';
import { imageOf, rewritePayload } from '../../src/ocr/payload-pixels.js';
import { readWords } from '../../src/ocr/tesseract.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { writePart10 } from '../../src/sync/dicom-file.js';
import { Outbox } from '../../src/sync/outbox.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';
import { tempDir } from '../helpers/tmp.js';
import { burnText } from './burn-text.js';

const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;
const W = 640;
const H = 480;
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const PATIENT = { patientName: 'QUIXOTE^PENELOPE', patientId: 'MRN778899', birthDate: '19880412', accessionNumber: 'ACC20261207' };
const RULES = { minChars: 3, minConfidence: 80, timeoutMs: 60_000 };

/** An outgoing Ultrasound Image of these pixels (`frames` > 1: a clip, frames stacked); its header carries an alias, as the de-identified export's does. */
function payload(pixels: Uint8Array, frames = 1): { sopInstanceUid: string; sopClassUid: string; bytes: Buffer } {
  const study = {
    studyInstanceUid: newUid(),
    studyDate: '20260101',
    studyTime: '120000',
    studyId: '',
    accessionNumber: '',
    patient: { name: 'ALIAS', id: 'ALIAS', birthDate: '', sex: '' },
    deviceSerial: 'x',
    softwareVersion: '0',
  };
  const uid = newUid();
  const ds = buildUsImage(study, {
    seriesInstanceUid: newUid(),
    seriesNumber: 1,
    sopInstanceUid: uid,
    instanceNumber: 1,
    contentDate: '20260101',
    contentTime: '120000',
    width: W,
    height: H,
    pixels,
    region: { x: 0, y: 0, width: W, height: H },
    pixelSpacingMm: { x: 0.2, y: 0.2 },
    derived: false,
    seriesDescription: 't',
    burnedInAnnotation: 'NO',
  });
  if (frames > 1) Object.assign(ds, { NumberOfFrames: String(frames), PixelData: [pixels.slice().buffer] });
  return { sopInstanceUid: uid, sopClassUid: US_IMAGE, bytes: writePart10(ds) };
}

describe.skipIf(!hasTesseract)('patient data drawn inside the picture (real tesseract)', () => {
  // the probe's frames depend on the order they are rendered in: a fresh probe, always the same order
  const probe = new SimulatedProbe('p', {});
  probe.prepare();
  const tissue = new Uint8Array(W * H);
  probe.render(3, tissue);
  const plain = [0, 7, 20].map((seq) => {
    const px = new Uint8Array(W * H);
    probe.render(seq, px);
    return px;
  });
  const fixtures: Array<[string, () => Promise<Uint8Array>]> = [
    ['white 14 px over tissue', () => burnText(tissue, W, H, 'QUIXOTE PENELOPE MRN778899', 200, 250, 14)],
    ['vertical, top to bottom', () => burnText(tissue, W, H, 'QUIXOTE PENELOPE', 560, 120, 16, { rotate: 90 })],
    ['vertical, bottom to top', () => burnText(tissue, W, H, 'MRN778899 QUIXOTE', 90, 420, 16, { rotate: -90 })],
  ];

  it.each(fixtures)(
    '%s: let go by the text rules alone, held as patient data; masked, nothing is left',
    async (_, make) => {
      const px = await make();
      expect(burnedText(await readWords(px, W, H, RULES)), 'the gray pass and the text rules alone find nothing').toBeUndefined();
      const img = payload(px);
      const held = await checkPayload(img.bytes, RULES, undefined, identifiersOf(PATIENT));
      expect(held).toMatchObject({ code: 'SONO_BURNED_IN_TEXT', found: 'patient-data' });
      expect(held!.message).toMatch(/patient name/);
      // the reason is kept and shown: it names what kind of identifier, never the patient's values
      expect(JSON.stringify(held)).not.toMatch(/QUIXOTE|PENELOPE|778899|1988/i);
      const masked = rewritePayload(imageOf(img.bytes), held!.boxes!, 'NO');
      expect(await checkPayload(masked, RULES, undefined, identifiersOf(PATIENT))).toBeUndefined();
    },
    120_000,
  );

  it('a clip with the name on every frame: held, with a box on every frame (a mask of frame 0 alone would let the rest go)', async () => {
    const clipProbe = new SimulatedProbe('c', {});
    clipProbe.prepare();
    const frames = 3;
    const all = new Uint8Array(W * H * frames);
    for (let f = 0; f < frames; f++) {
      const px = new Uint8Array(W * H);
      clipProbe.render(30 + f, px);
      all.set(await burnText(px, W, H, 'QUIXOTE PENELOPE MRN778899', 200, 250, 14), f * W * H);
    }
    const img = payload(all, frames);
    const held = await checkPayload(img.bytes, RULES, undefined, identifiersOf(PATIENT));
    expect(held).toMatchObject({ code: 'SONO_BURNED_IN_TEXT', found: 'patient-data' });
    for (let f = 0; f < frames; f++) expect(held!.boxes!.some((b) => b.y >= f * H + 200 && b.y < f * H + 260), `a box on frame ${f}`).toBe(true);
    const masked = rewritePayload(imageOf(img.bytes), held!.boxes!, 'NO');
    expect(await checkPayload(masked, RULES, undefined, identifiersOf(PATIENT))).toBeUndefined();
  }, 120_000);

  it("plain frames are not held for this patient's identifiers", async () => {
    for (const px of plain) expect(await checkPayload(payload(px).bytes, RULES, undefined, identifiersOf(PATIENT))).toBeUndefined();
  }, 120_000);

  it("the gate loop reads the exam's identifiers from the records: held for the named exam, sent for an anonymous one", async () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
    db.prepare("INSERT INTO exams (id, created_at, patient_name, patient_id, patient_birth_date, accession_number) VALUES ('named', 'now', ?, ?, ?, ?)").run(
      PATIENT.patientName,
      PATIENT.patientId,
      PATIENT.birthDate,
      PATIENT.accessionNumber,
    );
    db.prepare("INSERT INTO exams (id, created_at) VALUES ('anon', 'now')").run();
    const px = await fixtures[0]![1]();
    const named = payload(px);
    const anon = payload(px);
    const outbox = new Outbox(db);
    outbox.enqueue('t', 'named', [{ ...named, gate: { check: true } }]);
    outbox.enqueue('t', 'anon', [{ ...anon, gate: { check: true } }]);
    const gates = new GateStore(db);
    const loop = new OcrGateLoop(db, { ...RULES, pollMs: 20 }, () => {});
    loop.start();
    try {
      await new Promise<void>((resolve, reject) => {
        const t0 = Date.now();
        const look = (): void => {
          if (gates.get(named.sopInstanceUid)?.state !== 'checking' && gates.get(anon.sopInstanceUid)?.state !== 'checking') return resolve();
          if (Date.now() - t0 > 100_000) return reject(new Error('the gate gave no verdict in 100 s'));
          setTimeout(look, 50);
        };
        look();
      });
    } finally {
      await loop.stop();
    }
    expect(gates.get(named.sopInstanceUid)).toMatchObject({ state: 'held', reason: { code: 'SONO_BURNED_IN_TEXT', found: 'patient-data', identifiers: expect.arrayContaining(['name']) } });
    expect(gates.get(anon.sopInstanceUid)?.state).toBe('passed');
    db.close();
  }, 120_000);
});
