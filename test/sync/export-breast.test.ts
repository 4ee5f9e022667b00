import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { makeClosedBreastExam } from '../helpers/breast-exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;
if (!hasDciodvfy) console.warn('dciodvfy not found (apt-get install dicom3tools): skipping IOD validation');

function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error'));
}

/** Every content item of an SR tree, depth first. */
function items(seq: unknown): Array<Record<string, unknown>> {
  return ((seq as Array<Record<string, unknown>> | undefined) ?? []).flatMap((i) => [i, ...items(i.ContentSequence)]);
}
const conceptOf = (i: Record<string, unknown>): string => (i.ConceptNameCodeSequence as Array<{ CodeValue: string }> | undefined)?.[0]?.CodeValue ?? '';

describe('DICOM export of a closed breast exam', () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const { store, exam } = makeClosedBreastExam(db);
  const opts = { secret: 'device-secret-1', dates: 'shift' as const, deviceSerial: 'SN-1', softwareVersion: '0.1.0' };
  const identified = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: false });
  const deid = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: true });

  it('the SR carries the lesion as a TID 1500 measurement group: breast procedure and site, diameters, probability, BI-RADS categories', () => {
    const sr = deid[2]!.dataset;
    expect(sr.SeriesDescription).toBe('Breast lesion (AI results)');
    expect((sr.ContributingEquipmentSequence as Array<Record<string, unknown>>)[0]).toMatchObject({ ManufacturerModelName: 'breast-lesion', SoftwareVersions: '0.1.0' });
    expect(sr.VerificationFlag).toBe('UNVERIFIED'); // the malignancy probability is still undecided
    const all = items(sr.ContentSequence);
    const procedure = all.find((i) => conceptOf(i) === '121058')!;
    expect((procedure.ConceptCodeSequence as Array<{ CodeValue: string }>)[0]!.CodeValue).toBe('47079000');
    expect((all.find((i) => conceptOf(i) === '363698007')!.ConceptCodeSequence as Array<{ CodeValue: string }>)[0]!.CodeValue).toBe('76752008');
    const value = (code: string): number => Number((all.find((i) => conceptOf(i) === code)!.MeasuredValueSequence as Array<{ NumericValue: number }>)[0]!.NumericValue);
    expect(value('103339001')).toBe(9.5); // the clinician's long axis
    expect(value('131189007')).toBeGreaterThan(4);
    expect(value('111047')).toBeCloseTo(65, 1);
    const category = (code: string): string => (all.find((i) => conceptOf(i) === code)!.ConceptCodeSequence as Array<{ CodeMeaning: string }>)[0]!.CodeMeaning;
    expect(category('SONO001')).toBe('Not parallel (taller than wide)');
    expect(category('SONO002')).toBe('Not circumscribed (irregular)'); // corrected by the clinician
    expect(category('SONO003')).toBe('Malignant-appearing lesion');
    expect(JSON.stringify(sr.ContentSequence)).toContain('AI value circumscribed');
    expect(JSON.stringify(sr.ContentSequence)).not.toContain('11984-2'); // the head model's HC is not part of a breast exam
  });

  it('each diameter carries its caliper line and the margin its outline as SCOORDs on the raw image (src/sync/sr-scoord.ts)', () => {
    const sr = deid[2]!.dataset;
    const all = items(sr.ContentSequence);
    const shapeOf = (code: string): [unknown, unknown, unknown] => {
      const owner = all.find((i) => conceptOf(i) === code)!;
      const s = (owner.ContentSequence as Array<Record<string, unknown>>).find((i) => i.ValueType === 'SCOORD')!;
      const ref = ((s.ContentSequence as Array<Record<string, unknown>>)[0]!.ReferencedSOPSequence as Array<Record<string, unknown>>)[0]!;
      return [s.GraphicType, s.GraphicData, ref.ReferencedSOPInstanceUID];
    };
    const rawUid = deid[0]!.sopInstanceUid;
    // corrected with new calipers on the page: its points as drawn (canvas and DICOM share the pixel-corner origin)
    expect(shapeOf('103339001')).toEqual(['POLYLINE', [150, 80, 170, 170], rawUid]);
    // confirmed: the AI's caliper, moved from pixel-centre to pixel-corner coordinates
    const ai = exam.captures[0]!.measurements.find((m) => m.kind === 'lesion_perpendicular_diameter')!.aiGeometry as { x1: number; y1: number; x2: number; y2: number };
    const [type, data, ref] = shapeOf('131189007');
    expect([type, ref]).toEqual(['POLYLINE', rawUid]);
    [ai.x1 + 0.5, ai.y1 + 0.5, ai.x2 + 0.5, ai.y2 + 0.5].forEach((v, k) => expect((data as number[])[k]).toBeCloseTo(v, 6));
    // the outline the clinician pushed into shape, closed by repeating its first vertex
    expect(shapeOf('SONO002')).toEqual(['POLYLINE', [120, 60, 200, 60, 200, 200, 120, 200, 120, 60], rawUid]);
    // no shape for what has none
    for (const code of ['SONO001', 'SONO003', '111047'])
      expect(
        (all.find((i) => conceptOf(i) === code)!.ContentSequence as Array<Record<string, unknown>>).some((i) => i.ValueType === 'SCOORD'),
        code,
      ).toBe(false);
  });

  it('the overlay image has the outline and calipers burned in, the raw image not', () => {
    const raw = new Uint8Array((readPart10(deid[0]!.bytes).PixelData as ArrayBuffer[])[0]!);
    const overlay = new Uint8Array((readPart10(deid[1]!.bytes).PixelData as ArrayBuffer[])[0]!);
    let changed = 0;
    for (let i = 0; i < raw.length; i++) if (raw[i] !== overlay[i]) changed++;
    expect(changed).toBeGreaterThan(200);
    expect(overlay[125 * 320 + 160]).toBe(255); // on the corrected long-axis caliper (150,80)–(170,170)
    expect(overlay[60 * 320 + 150]).toBe(255); // on the clinician's outline (top edge y = 60)
    expect(overlay[130 * 320 + 200]).toBe(255); // (right edge x = 200)
    expect(deid[1]!.dataset.SeriesDescription).toBe('Breast lesion with overlay');
  });

  it.skipIf(!hasDciodvfy)('every file passes dciodvfy with no errors, before and after de-identification', () => {
    for (const [i, inst] of [...identified, ...deid].entries()) {
      const f = join(dir, `b${i}.dcm`);
      writeFileSync(f, inst.bytes);
      expect(dciodvfyErrors(f), `instance ${i}`).toEqual([]);
    }
  });
});
