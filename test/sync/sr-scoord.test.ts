/**
 * Every measurement with a place on the image carries it as an SCOORD (PS3.3 C.18.6; PS3.16 TID 300 → TID 320:
 * INFERRED FROM SCOORD "Source of Measurement" → SELECTED FROM IMAGE), in the referenced image's pixel
 * coordinates with 0,0 the top-left corner of the top-left pixel (C.18.6.1.1): the clinician's distance as a
 * two-point POLYLINE and area as a closed one, the head's ellipse as ELLIPSE (major axis end points, then
 * minor), BPD and OFD as its minor and major axes. Read back by real peers: dcmtk's dsrdump, dicom3tools'
 * dciodvfy (no finding the report without SCOORDs did not have), and Orthanc after a real STOW-RS.
 *
 * The frame carries marker pixels where the geometry points: each SCOORD point must fall in its marker
 * pixel of the referenced image, at the pixel's centre, so swapped (x, y) or a half-pixel origin slip fails.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { type Dataset, readPart10, writePart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { StowClient } from '../../src/sync/stow-client.js';
import { orthancAvailable } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

const hasDcmtk = spawnSync('dsrdump', ['--version']).error === undefined;
const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;
const W = 320;
const H = 240;
const REGION = { x: 20, y: 20, width: 280, height: 200 };
const MARK = 250;
// the AI's ellipse, in the analysis' frame pixels (integers at pixel centres): upright, so its major axis
// runs down the rows; its axis end points are the centres of pixels (160,70) (160,190) (200,130) (120,130)
const AI_ELLIPSE = { cx: 160, cy: 130, semiMajor: 60, semiMinor: 40, angleDeg: 90 };
// the clinician's pointer on the centres of pixels (200,60) and (260,140): canvas coordinates, 0,0 the frame's corner
const DISTANCE: Array<[number, number]> = [
  [200.5, 60.5],
  [260.5, 140.5],
];
const AREA: Array<[number, number]> = [
  [30, 180],
  [70, 180],
  [70, 210],
  [30, 210],
];
// the clinician's own ellipse on capture 2 (dragged on the canvas)
const MINE = { cx: 100, cy: 120, semiMajor: 40, semiMinor: 30, angleDeg: 0 };
const MARKED: Array<[number, number]> = [
  [160, 70],
  [160, 190],
  [200, 130],
  [120, 130],
  [200, 60],
  [260, 140],
];

function closedExam(): { store: ExamStore; exam: ReturnType<ExamStore['getExam']> } {
  const dir = tempDir();
  const store = new ExamStore(openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {})));
  const px = new Uint8Array(W * H);
  for (let y = REGION.y; y < REGION.y + REGION.height; y++) px.fill(60, y * W + REGION.x, y * W + REGION.x + REGION.width);
  for (const [x, y] of MARKED) px[y * W + x] = MARK;
  const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'SC-1' }, datingGaWeeks: 21 });
  const results = [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 160.2, bpdMm: 40, ofdMm: 60, gaWeeks: 19.1, ellipse: AI_ELLIPSE } as never }];
  const frame = { width: W, height: H, channels: 1, pixels: px, region: REGION, results, pixelSpacing: { x: 0.5, y: 0.5 } };
  store.addCapture(
    exam.id,
    {
      ...frame,
      frameSeq: 1,
      clinicianMeasurements: [
        { kind: 'distance', points: DISTANCE },
        { kind: 'area', points: AREA },
      ],
    },
    'Dr Scoord',
  );
  const second = store.addCapture(exam.id, { ...frame, frameSeq: 2 }, 'Dr Scoord');
  const of = (k: string) => second.measurements.find((m) => m.kind === k)!.id;
  store.decide(of('hc'), { decision: 'corrected', value: 110.2, geometry: { ellipse: MINE }, by: 'Dr Scoord' });
  store.decide(of('bpd'), { decision: 'corrected', value: 41.5, by: 'Dr Scoord' }); // typed: no shape measures it
  store.decide(of('ofd'), { decision: 'confirmed', by: 'Dr Scoord' });
  return { store, exam: store.closeExam(exam.id, null) };
}

const templateOf = (i: { dataset: Dataset }): string => JSON.stringify(i.dataset.ContentTemplateSequence ?? '');

/** dsrdump's view of the SCOORDs: [concept of the measurement, "TYPE,c/r,c/r,…", what it is selected from]. */
function dumpedScoords(file: string): Array<[string, string, string]> {
  const r = spawnSync('dsrdump', ['+Pl', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const out: Array<[string, string, string]> = [];
  let concept = '';
  lines.forEach((l, i) => {
    const item = /<contains (?:NUM|CODE):\(,,"([^"]+)"\)/.exec(l);
    if (item) concept = item[1]!;
    const s = /<inferred from SCOORD:\(,,"Source of Measurement"\)=\(([^)]+)\)>/.exec(l);
    if (s) out.push([concept, s[1]!, (lines[i + 1] ?? '').trim()]);
  });
  return out;
}

/** Every SCOORD item of a report, depth first. */
function scoords(seq: unknown): Dataset[] {
  return ((seq as Dataset[] | undefined) ?? []).flatMap((i) => [...(i.ValueType === 'SCOORD' ? [i] : []), ...scoords(i.ContentSequence)]);
}

/** The same report as it was before SCOORDs were written: every SCOORD item taken out. */
function withoutScoords(ds: Dataset): Dataset {
  const strip = (seq: Dataset[]): Dataset[] =>
    seq.filter((i) => i.ValueType !== 'SCOORD').map((i) => (Array.isArray(i.ContentSequence) ? { ...i, ContentSequence: strip(i.ContentSequence as Dataset[]) } : i));
  return { ...ds, ContentSequence: strip(ds.ContentSequence as Dataset[]) };
}

function dciodvfyFindings(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').filter((l) => /^(Error|Warning)/.test(l));
}

describe('measurement geometry as SCOORD in the structured reports', () => {
  const { store, exam } = closedExam();
  const opts = { secret: 'sec-scoord', dates: 'shift' as const, deviceSerial: 'SN-SC', softwareVersion: '0.1.0' };
  const identified = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: false });
  const deid = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: true });
  const tid1500 = deid.find((i) => templateOf(i).includes('"1500"'))!;
  const tid5000 = deid.find((i) => templateOf(i).includes('"5000"'))!;
  const dir = tempDir();
  const file = (name: string, bytes: Buffer): string => {
    const f = join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };
  const image = '<selected from IMAGE:=(US image,)>';
  const aiHead = 'ELLIPSE,160.5/70.5,160.5/190.5,200.5/130.5,120.5/130.5';
  const aiOfd = 'POLYLINE,160.5/70.5,160.5/190.5';

  it.skipIf(!hasDcmtk)('dsrdump reads each shape back on its measurement: AI geometry shifted to pixel-corner origin, the clinician’s as drawn', () => {
    expect(dumpedScoords(file('tid1500.dcm', tid1500.bytes))).toEqual([
      // capture 1: the AI's head, the clinician's calipers
      ['Head Circumference', aiHead, image],
      ['Biparietal Diameter', 'POLYLINE,200.5/130.5,120.5/130.5', image],
      ['Occipital-Frontal Diameter', aiOfd, image],
      ['Distance', 'POLYLINE,200.5/60.5,260.5/140.5', image],
      ['Area', 'POLYLINE,30/180,70/180,70/210,30/210,30/180', image], // closed: the first vertex again
      // capture 2: the clinician's ellipse (HC), a typed BPD (no shape), the AI's OFD confirmed
      ['Head Circumference', 'ELLIPSE,60/120,140/120,100/90,100/150', image],
      ['Occipital-Frontal Diameter', aiOfd, image],
    ]);
    // the OB report (TID 5000) measures the same biometry on the same shapes
    expect(dumpedScoords(file('tid5000.dcm', tid5000.bytes))).toEqual([
      ['Head Circumference', aiHead, image],
      ['Biparietal Diameter', 'POLYLINE,200.5/130.5,120.5/130.5', image],
      ['Occipital-Frontal Diameter', aiOfd, image],
      ['Head Circumference', 'ELLIPSE,60/120,140/120,100/90,100/150', image],
      ['Occipital-Frontal Diameter', aiOfd, image],
    ]);
  });

  it('every point of the AI head and the distance lies at the centre of its marker pixel in the referenced (raw, de-identified) image', () => {
    const sr = readPart10(tid1500.bytes);
    const shapes = scoords(sr.ContentSequence);
    expect(shapes).toHaveLength(7);
    const images = new Map(deid.map((i) => [i.sopInstanceUid, i]));
    for (const s of shapes.slice(0, 4)) {
      const ref = ((s.ContentSequence as Dataset[])[0]!.ReferencedSOPSequence as Dataset[])[0]!;
      const target = readPart10(images.get(ref.ReferencedSOPInstanceUID as string)!.bytes);
      // the raw image of capture 1, the frame pixel for pixel
      expect([target.ImageType, target.InstanceNumber, target.Rows, target.Columns]).toEqual([['ORIGINAL', 'PRIMARY'], 1, H, W]);
      const px = new Uint8Array((target.PixelData as ArrayBuffer[])[0]!);
      const data = s.GraphicData as number[];
      for (let k = 0; k < data.length; k += 2) {
        const [col, row] = [data[k]!, data[k + 1]!];
        expect([col - Math.floor(col), row - Math.floor(row)], `point ${col},${row} at a pixel centre`).toEqual([0.5, 0.5]);
        expect(px[Math.floor(row) * W + Math.floor(col)], `pixel under ${col},${row}`).toBe(MARK);
      }
    }
  });

  it('the Finding text keeps the points as before, and identified and de-identified reports carry the same shapes', () => {
    const text = JSON.stringify(readPart10(tid1500.bytes).ContentSequence);
    expect(text).toContain('points in frame pixels 200.5,60.5 260.5,140.5');
    const graphics = (i: { bytes: Buffer }) => scoords(readPart10(i.bytes).ContentSequence).map((s) => [s.GraphicType, s.GraphicData]);
    expect(graphics(identified.find((i) => templateOf(i).includes('"1500"'))!)).toEqual(graphics(tid1500));
  });

  it.skipIf(!hasDciodvfy)('dciodvfy finds nothing in the reports that it did not find in the same reports without SCOORDs (and no errors)', () => {
    for (const [n, inst] of [...identified, ...deid].filter((i) => i.sopClassUid === '1.2.840.10008.5.1.4.1.1.88.33').entries()) {
      const now = dciodvfyFindings(file(`now${n}.dcm`, inst.bytes));
      const before = dciodvfyFindings(file(`before${n}.dcm`, writePart10(withoutScoords(inst.dataset))));
      expect(
        now.filter((l) => l.startsWith('Error')),
        `report ${n}`,
      ).toEqual([]);
      expect(now, `report ${n}`).toEqual(before);
    }
  });

  const shared = inject('orthanc');
  it.skipIf(!orthancAvailable || !shared || !hasDcmtk)('Orthanc stores the report by STOW-RS and gives back the same shapes', async () => {
    const raw = deid.filter((i) => i.sopClassUid === '1.2.840.10008.5.1.4.1.1.6.1');
    const sent = await new StowClient({ name: 'orthanc', url: shared!.dicomWeb, username: shared!.user, password: shared!.password }).store([...raw, tid1500]);
    expect(sent.error).toBeUndefined();
    expect(sent.instances.find((i) => i.uid === tid1500.sopInstanceUid)?.outcome).toBe('stored');
    const auth = { authorization: 'Basic ' + Buffer.from(`${shared!.user}:${shared!.password}`).toString('base64') };
    const found = (await (await fetch(`${shared!.root}/tools/lookup`, { method: 'POST', headers: auth, body: tid1500.sopInstanceUid })).json()) as Array<{ ID: string; Type: string }>;
    const id = found.find((f) => f.Type === 'Instance')!.ID;
    const back = Buffer.from(await (await fetch(`${shared!.root}/instances/${id}/file`, { headers: auth })).arrayBuffer());
    expect(dumpedScoords(file('from-orthanc.dcm', back))).toEqual(dumpedScoords(file('sent.dcm', tid1500.bytes)));
    expect(dumpedScoords(file('from-orthanc.dcm', back))).toHaveLength(7);
  });
});
