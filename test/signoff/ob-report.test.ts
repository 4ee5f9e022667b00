/**
 * Report revisions and the TID 5000 OB report, built from a real exam in a real records database: closing's
 * revision is UNVERIFIED, a signed revision is VERIFIED with the signer as Verifying Observer and names the
 * closing report in its Predecessor Documents Sequence; every instance passes dciodvfy with 0 errors.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hadlockGaWeeksFromHc } from '../../src/analysis/biometry.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { clinicianAlias } from '../../src/sync/deidentify.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeDecidedExam } from './fixture.js';
import { tempDir } from '../helpers/tmp.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;

/** dciodvfy's error lines (and the warning count, reported by the test name only). */
function dciodvfy(file: string): { errors: string[]; warnings: number } {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const lines = (r.stdout + r.stderr).split('\n');
  return { errors: lines.filter((l) => l.startsWith('Error')), warnings: lines.filter((l) => l.startsWith('Warning')).length };
}

type Item = Record<string, unknown> & { ContentSequence?: Item[]; ConceptNameCodeSequence?: Array<{ CodeValue: string }> | { CodeValue: string } };
const codeOf = (i: Item): string | undefined => {
  const c = i.ConceptNameCodeSequence;
  return Array.isArray(c) ? c[0]?.CodeValue : c?.CodeValue;
};
function find(items: Item[] | Item | undefined, value: string): Item[] {
  const list = items === undefined ? [] : Array.isArray(items) ? items : [items];
  return list.flatMap((i) => [...(codeOf(i) === value ? [i] : []), ...find(i.ContentSequence, value)]);
}

describe('report revisions and the TID 5000 OB report', () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const { store, exam } = makeDecidedExam(db);
  const opts = { secret: 'device-secret-1', dates: 'shift' as const, deviceSerial: 'SN-1', softwareVersion: '0.1.0', deidentified: true };
  const signedAt = new Date('2026-03-04T10:20:30Z');
  const rev0 = buildExamInstances(exam, (id) => store.capturePixels(id), opts);
  const rev1 = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, report: { revision: 1, at: signedAt, verification: { observerName: 'Dr Ada Byron', organization: 'Maternity unit', at: signedAt } } });
  const srs = (list: typeof rev0): Array<Record<string, unknown>> => list.filter((i) => i.sopClassUid === COMPREHENSIVE_SR).map((i) => readPart10(i.bytes));

  it('an obstetric exam has a TID 1500 and a TID 5000 report, UNVERIFIED at closing', () => {
    const [m, ob] = srs(rev0);
    expect((m!.ContentTemplateSequence as Item[])[0]).toMatchObject({ TemplateIdentifier: '1500' });
    expect((ob!.ContentTemplateSequence as Item[])[0]).toMatchObject({ TemplateIdentifier: '5000' });
    expect(codeOf(ob as Item)).toBe('125000');
    expect(m!.VerificationFlag).toBe('UNVERIFIED');
    expect(ob!.VerificationFlag).toBe('UNVERIFIED');
    expect(m!.VerifyingObserverSequence).toBeUndefined();
    expect(m!.PredecessorDocumentsSequence).toBeUndefined();
  });

  it('TID 5000 holds the fetal biometry group: HC as decided, GA by Hadlock 1984 with its equation, BPD, OFD', () => {
    const ob = srs(rev0)[1] as Item;
    const section = find(ob, '125002');
    expect(section).toHaveLength(1);
    expect(find(section[0], '11951-1')[0]!.TextValue).toBe('1');
    const groups = find(section[0], '125005');
    expect(groups).toHaveLength(3);
    const hc = find(groups[0], '11984-2')[0]!;
    expect((hc.MeasuredValueSequence as Array<{ NumericValue: number }>)[0]!.NumericValue).toBe(178.4); // the clinician's correction
    const ga = find(groups[0], '18185-9')[0]!;
    expect((ga.MeasuredValueSequence as Array<{ NumericValue: number; MeasurementUnitsCodeSequence: Item[] }>)[0]).toMatchObject({ NumericValue: Math.round(hadlockGaWeeksFromHc(178.4) * 7) }); // the GA of the HC of record (value-of-record.ts)
    const table = find(ga, '121424')[0]!;
    expect(JSON.stringify(table.ConceptCodeSequence)).toContain('11932-1');
    expect(find(ga, '121420')[0]!.TextValue).toMatch(/8\.96 \+ 0\.540\*HC \+ 0\.0003\*HC\^3, HC in cm/);
    expect(find(groups[1], '11820-8')).toHaveLength(1);
    expect(find(groups[2], '11851-3')).toHaveLength(1);
  });

  it('a signed revision is VERIFIED by the signer, with a new UID naming the one it replaces', () => {
    const [m0, ob0] = srs(rev0);
    const [m1, ob1] = srs(rev1);
    for (const [before, after] of [[m0!, m1!], [ob0!, ob1!]] as const) {
      expect(after.SOPInstanceUID).not.toBe(before.SOPInstanceUID);
      expect(after.SeriesInstanceUID).toBe(before.SeriesInstanceUID);
      expect(after.VerificationFlag).toBe('VERIFIED');
      const v = (after.VerifyingObserverSequence as Item[])[0]!;
      expect(v.VerifyingOrganization).toBe('REMOVED'); // PS3.15 Table E.1-1: D (a dummy; Type 1 in the item)
      // de-identified like every other name: the signer's keyed alias (the decider keeps theirs in both revisions)
      expect(JSON.stringify(v.VerifyingObserverName)).toContain(clinicianAlias(opts.secret, 'Dr Ada Byron'));
      expect(String(v.VerificationDateTime)).toMatch(/^\d{8}102030$/);
      const pred = (after.PredecessorDocumentsSequence as Item[])[0]!;
      expect(pred.StudyInstanceUID).toBe(before.StudyInstanceUID);
      const series = (pred.ReferencedSeriesSequence as Item[])[0]!;
      expect(series.SeriesInstanceUID).toBe(before.SeriesInstanceUID);
      expect((series.ReferencedSOPSequence as Item[])[0]).toMatchObject({ ReferencedSOPClassUID: COMPREHENSIVE_SR, ReferencedSOPInstanceUID: before.SOPInstanceUID });
    }
    const text = JSON.stringify(m1!.ContentSequence);
    expect(text).toContain(`corrected by ${clinicianAlias(opts.secret, 'Dr Alice Martin')} at`);
    expect(rev1.map((i) => i.bytes.includes(Buffer.from('Ada Byron'))).some(Boolean)).toBe(false);
  });

  it.skipIf(!hasDciodvfy)('every instance of both revisions passes dciodvfy with 0 errors', () => {
    const identified = buildExamInstances(exam, (id) => store.capturePixels(id), { ...opts, deidentified: false, report: { revision: 2, verification: { observerName: 'Dr Ada Byron', organization: 'Maternity unit', at: signedAt } } });
    const all = [...rev0, ...rev1, ...identified];
    expect(all.filter((i) => i.sopClassUid === COMPREHENSIVE_SR)).toHaveLength(6);
    for (const [n, inst] of all.entries()) {
      const f = join(dir, `i${n}.dcm`);
      writeFileSync(f, inst.bytes);
      const r = dciodvfy(f);
      expect(r.errors, `instance ${n} (${inst.sopClassUid})`).toEqual([]);
    }
  });
});
