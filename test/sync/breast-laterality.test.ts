/**
 * A breast exam's DICOM says which breast each capture shows: Image Laterality (0020,0062) L or R on the raw
 * and the overlay US image of each capture (PS3.3 C.7.6.1, General Image: R right, L left), and in the TID 1500
 * SR each measurement group's Finding Site Breast carries HAS CONCEPT MOD Laterality (SCT 272741003) = Left (SCT
 * 7771000) or Right (SCT 24028007), CID 244 (PS3.16 TID 1501 / TID 300 $TargetSiteLaterality). One exam holds
 * both breasts (left capture, then right), and a capture stored before sides were recorded says neither.
 * Every instance passes dciodvfy with no error, identified and de-identified.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BreastSide } from '../../src/protocol/laterality.js';
import { type Dataset, readPart10, writePart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { buildExamReportInstances } from '../../src/sync/export-sr.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { type StudyContext, buildUsImage } from '../../src/sync/us-image.js';
import { breastExamBothSides } from '../helpers/breast-sides-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { kindOf } from './instance-kind.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;
if (!hasDciodvfy) console.warn('dciodvfy not found (apt-get install dicom3tools): skipping IOD validation');

type Item = Record<string, unknown>;
const items = (seq: unknown): Item[] => ((seq as Item[] | undefined) ?? []).flatMap((i) => [i, ...items(i.ContentSequence)]);
const codeOf = (seq: unknown): string | undefined => (seq as Array<{ CodeValue: string }> | undefined)?.[0]?.CodeValue;

function dciodvfyErrors(dir: string, name: string, bytes: Buffer): string[] {
  const file = join(dir, `${name}.dcm`);
  writeFileSync(file, bytes);
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error'));
}

/** Each measurement group's Finding Site laterality, in capture order (undefined: none said). */
function groupSides(sr: Dataset): Array<string | undefined> {
  const groups = items(sr.ContentSequence).filter((i) => codeOf(i.ConceptNameCodeSequence) === '125007');
  return groups.map((g) => {
    const site = (g.ContentSequence as Item[]).find((i) => codeOf(i.ConceptNameCodeSequence) === '363698007')!;
    expect(codeOf(site.ConceptCodeSequence)).toBe('76752008'); // Breast
    const lat = ((site.ContentSequence as Item[] | undefined) ?? []).find((i) => codeOf(i.ConceptNameCodeSequence) === '272741003');
    if (!lat) return undefined;
    expect(lat).toMatchObject({ RelationshipType: 'HAS CONCEPT MOD', ValueType: 'CODE' });
    expect((lat.ConceptNameCodeSequence as Item[])[0]).toMatchObject({ CodingSchemeDesignator: 'SCT', CodeMeaning: 'Laterality' });
    const v = (lat.ConceptCodeSequence as Item[])[0]!;
    expect(v.CodingSchemeDesignator).toBe('SCT');
    return `${String(v.CodeValue)} ${String(v.CodeMeaning)}`;
  });
}

const study: StudyContext = {
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.1',
  studyDate: '20261208',
  studyTime: '010000',
  studyId: 'S1',
  accessionNumber: '',
  patient: { name: 'ROE^ANNA', id: 'PID-SIDE-1', birthDate: '', sex: 'F' },
  deviceSerial: 'SN-1',
  softwareVersion: '0.1.0',
};
const IMAGE = {
  seriesInstanceUid: '1.2.826.0.1.3680043.8.498.2',
  seriesNumber: 1,
  sopInstanceUid: '1.2.826.0.1.3680043.8.498.3',
  instanceNumber: 1,
  contentDate: '20261208',
  contentTime: '010000',
  width: 16,
  height: 8,
  pixels: new Uint8Array(16 * 8).fill(40),
  region: { x: 0, y: 0, width: 16, height: 8 },
  pixelSpacingMm: { x: 0.1, y: 0.1 },
  derived: false,
  seriesDescription: 'Breast ultrasound',
  burnedInAnnotation: 'NO' as const,
};

describe('breast laterality in the DICOM export', () => {
  const { store, exam } = breastExamBothSides(['left', 'right', undefined]);
  const opts = { secret: 'device-secret-1', dates: 'shift' as const, deviceSerial: 'SN-1', softwareVersion: '0.1.0' };
  const identified = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: false });
  const deid = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: true });

  it('the US image writer puts Image Laterality L or R on a sided image, and the series Laterality (Type 2C) is then absent', () => {
    const img = (laterality: BreastSide | undefined): Dataset => buildUsImage(study, { ...IMAGE, laterality });
    expect(img('left')).toMatchObject({ ImageLaterality: 'L' });
    expect(img('right')).toMatchObject({ ImageLaterality: 'R' });
    expect('Laterality' in img('left')).toBe(false);
    expect(img(undefined)).toMatchObject({ Laterality: '' });
    expect('ImageLaterality' in img(undefined)).toBe(false);
    if (hasDciodvfy) {
      const dir = tempDir('breast-side-writer-');
      for (const side of ['left', 'right', undefined] as const) expect(dciodvfyErrors(dir, `w-${String(side)}`, writePart10(img(side))), String(side)).toEqual([]);
    }
  });

  it('each capture raw and overlay image says its side, identified and de-identified (deid-table.ts keeps Image Laterality)', () => {
    const images = (list: typeof identified, k: string): unknown[] => list.filter((i) => kindOf(i) === k).map((i) => readPart10(i.bytes).ImageLaterality);
    const expected = ['L', 'R', undefined];
    for (const list of [identified, deid]) {
      expect(images(list, 'US image')).toEqual(expected);
      expect(images(list, 'US overlay')).toEqual(expected);
    }
  });

  it("the SR's Finding Site of each capture says Left, then Right, then nothing; the same once de-identified and in the report-only build", () => {
    const srOf = (list: typeof identified): Dataset => readPart10(list.find((i) => i.sopClassUid === COMPREHENSIVE_SR)!.bytes);
    const expected = ['7771000 Left', '24028007 Right', undefined];
    expect(groupSides(srOf(identified))).toEqual(expected);
    expect(groupSides(srOf(deid))).toEqual(expected);
    const reportOnly = buildExamReportInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: true });
    expect(groupSides(srOf(reportOnly))).toEqual(expected);
  });

  it.skipIf(!hasDciodvfy)('every instance passes dciodvfy with no error, identified and de-identified', () => {
    const dir = tempDir('breast-side-dciodvfy-');
    for (const [set, list] of [
      ['id', identified],
      ['deid', deid],
    ] as const) {
      list.forEach((inst, k) => expect(dciodvfyErrors(dir, `${set}-${k}`, inst.bytes), `${set} ${kindOf(inst)} ${k}`).toEqual([]));
    }
  });
});
