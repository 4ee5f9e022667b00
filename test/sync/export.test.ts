import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { clinicianAlias, pseudonym } from '../../src/sync/deidentify.js';
import { PLANTED, makeClosedExam } from '../helpers/exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;
if (!hasDciodvfy) console.warn('dciodvfy not found (apt-get install dicom3tools): skipping IOD validation');

function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error'));
}

describe('DICOM export of a closed exam', () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const { store, exam } = makeClosedExam(db);
  const opts = { secret: 'device-secret-1', dates: 'shift' as const, deviceSerial: 'SN-1', softwareVersion: '0.1.0' };
  const identified = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: false });
  const deid = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: true });

  it('makes raw and overlay US images in separate series, and two Comprehensive SRs (TID 1500, and TID 5000 for an obstetric exam)', () => {
    expect(deid.map((i) => i.dataset.SOPClassUID)).toEqual(['1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.88.33']);
    expect(new Set(deid.map((i) => i.seriesInstanceUid)).size).toBe(4);
    const sr = deid[2]!.dataset;
    expect(sr.VerificationFlag).toBe('UNVERIFIED'); // GA/BPD/OFD still undecided
    expect((sr.ContributingEquipmentSequence as Array<Record<string, unknown>>)[0]).toMatchObject({ ManufacturerModelName: 'fetal-head', SoftwareVersions: '1.0.0' });
    const text = JSON.stringify(sr.ContentSequence);
    expect(text).toContain('11984-2');
    expect(text).toContain('178.4'); // the clinician's corrected HC
    expect(text).toContain(`corrected by ${clinicianAlias(opts.secret, 'Dr Alice Martin')} at`); // the clinician's keyed alias
  });

  it.skipIf(!hasDciodvfy)('every file passes dciodvfy with no errors, before and after de-identification', () => {
    for (const [i, inst] of [...identified, ...deid].entries()) {
      const f = join(dir, `i${i}.dcm`);
      writeFileSync(f, inst.bytes);
      expect(dciodvfyErrors(f), `instance ${i}`).toEqual([]);
    }
  });

  it('de-identified bytes hold no trace of the name, id or birth date, in tags or pixels', () => {
    for (const inst of deid) {
      for (const needle of [PLANTED.name, PLANTED.id, PLANTED.birthDate, 'DOE', 'Alice Martin', 'SN-1']) expect(inst.bytes.includes(Buffer.from(needle)), needle).toBe(false);
      const ds = readPart10(inst.bytes);
      expect(ds.PatientIdentityRemoved).toBe('YES');
      expect(JSON.stringify(ds.PatientName)).toContain(pseudonym('device-secret-1', PLANTED.id));
      expect(ds.PatientBirthDate).toBe('');
      expect((ds.DeidentificationMethodCodeSequence as Array<{ CodeValue: string }>).map((c) => c.CodeValue)).toEqual(['113100', '113101', '113104', '113105', '113107']);
      if (ds.SOPClassUID === '1.2.840.10008.5.1.4.1.1.6.1') {
        expect(ds.BurnedInAnnotation).toBe('NO');
        const px = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]!);
        for (let y = 0; y < 30; y++) for (let x = 0; x < 320; x++) expect(px[y * 320 + x]).toBe(0);
      }
    }
    expect(identified[0]!.bytes.includes(Buffer.from(PLANTED.id))).toBe(true); // the test can fail
  });

  it('UIDs are new, consistent across rebuilds, and the same patient links across exams', () => {
    const again = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: true });
    expect(again.map((i) => i.sopInstanceUid)).toEqual(deid.map((i) => i.sopInstanceUid));
    expect(deid.map((i) => i.sopInstanceUid)).not.toEqual(identified.map((i) => i.sopInstanceUid));
    const srRefs = JSON.stringify(deid[2]!.dataset.CurrentRequestedProcedureEvidenceSequence);
    expect(srRefs).toContain(deid[0]!.sopInstanceUid);
    // dates shifted back by the same per-patient offset
    expect(readPart10(deid[0]!.bytes).StudyDate).not.toBe(readPart10(identified[0]!.bytes).StudyDate);
  });
});

describe('burned-in text with no known imaging region', () => {
  it('builds its images but holds them on the device (SONO_REGION_NOT_SET) and says so in the SR', () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
    const { store, exam } = makeClosedExam(db);
    const cap = exam.captures[0]!;
    db.prepare('UPDATE captures SET region_json = ? WHERE id = ?').run(JSON.stringify({ x: 0, y: 0, width: 320, height: 240 }), cap.id);
    const out = buildExamInstances(exam, (id) => store.capturePixels(id), { secret: 's', dates: 'remove', deviceSerial: 'x', softwareVersion: '0', deidentified: true });
    expect(out.map((i) => i.sopClassUid)).toEqual(['1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.88.33']);
    expect(out.slice(0, 2).map((i) => i.gate && 'hold' in i.gate ? i.gate.hold.code : undefined)).toEqual(['SONO_REGION_NOT_SET', 'SONO_REGION_NOT_SET']);
    expect(out[2]!.gate).toBeUndefined();
    const text = JSON.stringify(out[2]!.dataset.ContentSequence);
    expect(text).toContain('withheld');
    expect(text).toContain('11984-2');
    // what may leave (the SR) holds no name; the held images keep the whole screen and never leave unmasked
    for (const i of out.filter((x) => !(x.gate && 'hold' in x.gate))) expect(i.bytes.includes(Buffer.from(PLANTED.name))).toBe(false);
  });
});
