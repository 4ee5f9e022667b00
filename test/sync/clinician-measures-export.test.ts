/**
 * The clinician's own calipers and corrected head ellipse leave with the exam (issue 18): the TID 1500 SR
 * carries each distance (DCM 121206) and area (SCT 42798000) in UCUM mm / mm2 — a frame without spacing in
 * pixels, never mm — and every file still passes dciodvfy; the overlay series burns the ellipse as decided
 * (the clinician's corrected one, not the AI's) and the calipers. Real encrypted SQLite, real export.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { type Dataset, readPart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { tempDir } from '../helpers/tmp.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;
const W = 320;
const H = 240;
const REGION = { x: 20, y: 20, width: 280, height: 200 };
const AI_ELLIPSE = { cx: 160, cy: 130, semiMajor: 60, semiMinor: 48, angleDeg: 10 };
const MINE = { cx: 100, cy: 120, semiMajor: 40, semiMinor: 30, angleDeg: 0 };

function closedExam(): { store: ExamStore; exam: ReturnType<ExamStore['getExam']> } {
  const dir = tempDir();
  const store = new ExamStore(openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {})));
  const px = new Uint8Array(W * H);
  for (let y = REGION.y; y < REGION.y + REGION.height; y++) for (let x = REGION.x; x < REGION.x + REGION.width; x++) px[y * W + x] = ((x * 7 + y * 3) % 200) + 20;
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'CAL-9' }, datingGaWeeks: 21 });
  const results = [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: AI_ELLIPSE } as never }];
  const frame = { width: W, height: H, channels: 1, pixels: px, region: REGION, results };
  const cap = store.addCapture(
    exam.id,
    {
      ...frame,
      frameSeq: 1,
      pixelSpacing: { x: 0.25, y: 0.25 },
      clinicianMeasurements: [
        { kind: 'distance', points: [[200, 60], [260, 140]] }, // 100 px × 0.25 = 25 mm
        { kind: 'area', points: [[30, 180], [70, 180], [70, 210], [30, 210]] }, // 1200 px² × 0.0625 = 75 mm²
      ],
    },
    'Dr Calliper',
  );
  store.addCapture(exam.id, { ...frame, frameSeq: 2, pixelSpacing: undefined, clinicianMeasurements: [{ kind: 'distance', points: [[30, 30], [60, 70]] }] }, 'Dr Calliper');
  store.decide(cap.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'corrected', value: 110.2, geometry: { ellipse: MINE }, by: 'Dr Calliper' });
  return { store, exam: store.closeExam(exam.id, null) };
}

/** Every NUM item under the report's measurement groups, as [concept, value, unit] per group. */
function numbers(sr: Dataset): Array<Array<[string, number, string]>> {
  const root = sr.ContentSequence as Dataset[];
  const measurements = root.find((i) => (i.ConceptNameCodeSequence as Dataset[])[0]!.CodeValue === '126010')!;
  return (measurements.ContentSequence as Dataset[]).map((g) =>
    (g.ContentSequence as Dataset[])
      .filter((i) => i.ValueType === 'NUM')
      .map((i): [string, number, string] => {
        const name = (i.ConceptNameCodeSequence as Dataset[])[0]!;
        const v = (i.MeasuredValueSequence as Dataset[])[0]!;
        const unit = (v.MeasurementUnitsCodeSequence as Dataset[])[0]!;
        return [`${String(name.CodeValue)} ${String(name.CodingSchemeDesignator)}`, Number(v.NumericValue), String(unit.CodeValue)];
      }),
  );
}

describe("the clinician's calipers and corrected ellipse in the DICOM export", () => {
  const { store, exam } = closedExam();
  const opts = { secret: 'sec', dates: 'shift' as const, deviceSerial: 'SN-9', softwareVersion: '0.1.0' };
  const identified = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: false });
  const deid = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: true });
  const tid1500 = (list: typeof deid) => readPart10(list.find((i) => JSON.stringify(i.dataset.ContentTemplateSequence ?? '').includes('"1500"'))!.bytes);

  it('the TID 1500 SR holds each distance and area with its code and UCUM unit; a frame without spacing stays in pixels', () => {
    const groups = numbers(tid1500(deid));
    expect(groups[0]).toEqual(expect.arrayContaining([['121206 DCM', 25, 'mm'], ['42798000 SCT', 75, 'mm2']]));
    expect(groups[1]).toEqual(expect.arrayContaining([['121206 DCM', 50, '{pixel}']]));
    expect(groups[1]!.filter(([c]) => c === '121206 DCM').map(([, , u]) => u)).toEqual(['{pixel}']);
    const text = JSON.stringify(tid1500(deid).ContentSequence);
    expect(text).toContain('Measured by the clinician CLINICIAN^');
    expect(text).not.toContain('Dr Calliper'); // the measurer's name is replaced like a decider's
    expect(JSON.stringify(tid1500(identified).ContentSequence)).toContain('Measured by the clinician Dr Calliper');
  });

  it('each distance and area carries its points as an SCOORD: a two-point POLYLINE, a closed one (first vertex repeated)', () => {
    const root = tid1500(deid).ContentSequence as Dataset[];
    const groups = root.find((i) => (i.ConceptNameCodeSequence as Dataset[])[0]!.CodeValue === '126010')!.ContentSequence as Dataset[];
    const shapes = groups.map((g) =>
      (g.ContentSequence as Dataset[])
        .filter((i) => ['121206', '42798000'].includes(String((i.ConceptNameCodeSequence as Dataset[])[0]!.CodeValue)))
        .map((i) => (i.ContentSequence as Dataset[]).find((c) => c.ValueType === 'SCOORD')!)
        .map((s) => [s.GraphicType, s.GraphicData]),
    );
    expect(shapes).toEqual([
      [
        ['POLYLINE', [200, 60, 260, 140]],
        ['POLYLINE', [30, 180, 70, 180, 70, 210, 30, 210, 30, 180]],
      ],
      [['POLYLINE', [30, 30, 60, 70]]],
    ]);
  });

  it.skipIf(!hasDciodvfy)('every file passes dciodvfy with no errors, identified and de-identified', () => {
    const dir = tempDir();
    for (const [i, inst] of [...identified, ...deid].entries()) {
      const f = join(dir, `i${i}.dcm`);
      writeFileSync(f, inst.bytes);
      const r = spawnSync('dciodvfy', [f], { encoding: 'utf8' });
      expect((r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error')), `instance ${i}`).toEqual([]);
    }
  });

  it("the overlay burns the clinician's corrected ellipse, not the AI's, and the calipers", () => {
    const images = deid.filter((i) => i.sopClassUid === '1.2.840.10008.5.1.4.1.1.6.1').map((i) => readPart10(i.bytes));
    const overlay = images.find((d) => String(d.SeriesDescription).includes('overlay') && Number(d.InstanceNumber) === 1)!;
    const raw = images.find((d) => !String(d.SeriesDescription).includes('overlay') && Number(d.InstanceNumber) === 1)!;
    const at = (d: Dataset, x: number, y: number): number => new Uint8Array((d.PixelData as ArrayBuffer[])[0]!)[Math.round(y) * W + Math.round(x)]!;
    const onEllipse = (e: typeof MINE, t: number): [number, number] => {
      const a = (e.angleDeg * Math.PI) / 180;
      const [u, v] = [e.semiMajor * Math.cos(t), e.semiMinor * Math.sin(t)];
      return [e.cx + u * Math.cos(a) - v * Math.sin(a), e.cy + u * Math.sin(a) + v * Math.cos(a)];
    };
    for (const t of [0, Math.PI / 2, Math.PI, (3 * Math.PI) / 2]) {
      const [x, y] = onEllipse(MINE, t);
      expect(at(overlay, x, y), `clinician's ellipse at ${x},${y}`).toBe(255);
      expect(at(raw, x, y)).not.toBe(255);
      const [ax, ay] = onEllipse(AI_ELLIPSE, t);
      expect(at(overlay, ax, ay), `AI ellipse at ${ax},${ay}`).toBe(at(raw, ax, ay));
    }
    expect(at(overlay, 230, 100)).toBe(255); // the distance's midpoint
    expect(at(overlay, 50, 180)).toBe(255); // the area's top edge
    expect(at(raw, 230, 100)).not.toBe(255);
  });
});
