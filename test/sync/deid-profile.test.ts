/**
 * PS3.15 Table E.1-1 (Basic Application Level Confidentiality Profile) for every attribute sonoedge's writers
 * emit, read back from the bytes of every kind of instance (raw and overlay US image, US multi-frame clip, the
 * TID 1500 and TID 5000 reports of a signed revision, a breast exam's report with its private codes), with
 * dates shifted and removed:
 *  - every attribute written is classified (src/sync/deid-table.ts), and each classified one has its action in
 *    the de-identified copy: U new UIDs, Z empty, X absent, D a dummy (Verifying Organization: "REMOVED") or
 *    the person's keyed alias;
 *  - Series Description (0008,103E) and Contribution Description (0018,A003), X in the Basic profile, stay only
 *    as sonoedge's own fixed vocabulary (Clean Descriptors Option, 113105, listed in (0012,0064)); any other
 *    value is removed, as are Study Description, Institution Name, Operators' Name, Station Name, Performing
 *    Physician's Name and an attribute no table names, wherever they are;
 *  - with dates shifted, an instant in SR text moves back by the same days as the Study Date (time of day
 *    kept, as the DICOM times are), where it used to be replaced;
 *  - every instance still passes dciodvfy with no error, and a real Orthanc stores each one.
 * Sources: PS3.15 E.1-1 and E.3 (actions as listed by idiscore's table generated from the current standard and
 * Orthanc's 2021b list; CID 7050 for 113105); ../shared/REFERENCE.md.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { OUTSIDE_TABLE, PROFILE } from '../../src/sync/deid-table.js';
import { dateShiftDays, deidentify, pseudonym } from '../../src/sync/deidentify.js';
import { isCleanDescriptor } from '../../src/sync/descriptors.js';
import { type Dataset, readPart10, writePart10 } from '../../src/sync/dicom-file.js';
import type { DicomInstance } from '../../src/sync/export-exam.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { StowClient } from '../../src/sync/stow-client.js';
import { makeClosedBreastExam } from '../helpers/breast-exam-fixture.js';
import { openDatabase, loadOrCreateKey } from '../../src/records/database.js';
import { OrthancServer, orthancAvailable } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';
import { NAMES, everyKindExam } from './every-kind-exam.js';
import { kindOf } from './instance-kind.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;
const ALIAS = /^CLINICIAN\^reader-[0-9a-f]{12}$/;

/** Every attribute at any depth, with its value and the dataset holding it. */
function attributes(ds: Dataset, out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  for (const [k, v] of Object.entries(ds)) {
    if (k === '_vrMap') continue;
    out.push([k, v]);
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object' && !(x instanceof ArrayBuffer) && !('Alphabetic' in x)) attributes(x as Dataset, out);
  }
  return out;
}

/** A value read back as text: a PN's Alphabetic, one string, or '' for an empty value. */
function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(text).join('\\');
  if (typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic: unknown }).Alphabetic ?? '');
  return String(v);
}

function dciodvfyErrors(dir: string, name: string, bytes: Buffer): string[] {
  const file = join(dir, `${name}.dcm`);
  writeFileSync(file, bytes);
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error'));
}

/** The Finding texts of a report that say when something was decided or measured. */
function findings(ds: Dataset): string[] {
  return attributes(ds)
    .filter(([k, v]) => k === 'TextValue' && /^(corrected|confirmed) by |^Measured by the clinician /.test(text(v)))
    .map(([, v]) => text(v));
}

const daUtc = (da: string): number => Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8)));

describe('PS3.15 Table E.1-1 on every attribute the writers emit', () => {
  const dir = tempDir('deid-profile-');
  const e = everyKindExam(dir);
  const breastDb = openDatabase(join(dir, 'b.db'), loadOrCreateKey(join(dir, 'bk'), {}));
  const breast = makeClosedBreastExam(breastDb);
  const breastBuild = (deidentified: boolean): DicomInstance[] =>
    buildExamInstances(breast.exam, (id) => breast.store.capturePixels(id), { secret: 'dates-secret', dates: 'shift', deviceSerial: NAMES.serial, softwareVersion: '0.1.0', deidentified });
  const identified = [...e.build({ dates: 'shift', deidentified: false }), ...breastBuild(false)];
  const identifiedUids = new Set(identified.flatMap((i) => attributes(i.dataset).flatMap(([k, v]) => (PROFILE[k]?.do === 'uid' ? [text(v)] : []))));
  const shifted = [...e.build({ dates: 'shift', deidentified: true }), ...breastBuild(true)];
  const removed = e.build({ dates: 'remove', deidentified: true, secret: 'other-secret' });

  it('every attribute of every kind of instance is classified: in the table with an action, or read and kept', () => {
    expect([...new Set(identified.map(kindOf))].sort()).toEqual(['SR TID 1500', 'SR TID 5000', 'US image', 'US multi-frame', 'US overlay']);
    const unknown = new Set(identified.flatMap((i) => attributes(i.dataset).map(([k]) => k)).filter((k) => k !== 'PixelData' && !PROFILE[k] && !OUTSIDE_TABLE.has(k)));
    expect([...unknown]).toEqual([]);
  });

  it('each has its action in the bytes, dates shifted or removed: U, Z, X, D, the alias, the pseudonym, the fixed descriptors', () => {
    for (const i of [...shifted, ...removed]) {
      const ds = readPart10(i.bytes);
      const where = `${kindOf(i)} ${text(ds.LongitudinalTemporalInformationModified)}`;
      const attrs = attributes(ds);
      for (const [k, v] of attrs) {
        const a = PROFILE[k];
        expect(a !== undefined || OUTSIDE_TABLE.has(k) || k === 'PixelData', `${where}: ${k} is classified`).toBe(true);
        if (!a) continue;
        if (a.do === 'remove') throw new Error(`${where}: ${k} (X) is present`);
        if (a.do === 'empty') expect(text(v), `${where}: ${k} (Z)`).toBe('');
        if (a.do === 'dummy') expect(text(v), `${where}: ${k} (D)`).toBe(a.value);
        if (a.do === 'person') expect(text(v), `${where}: ${k} (D, alias)`).toMatch(ALIAS);
        if (a.do === 'uid') expect(identifiedUids.has(text(v)), `${where}: ${k} (U)`).toBe(false);
        if (a.do === 'descriptor') expect(isCleanDescriptor(text(v)), `${where}: ${k}=${text(v)} (113105)`).toBe(true);
      }
      expect([text(ds.PatientName), text(ds.PatientID)], where).toEqual([`${text(i.dataset.PatientID)}^`, text(i.dataset.PatientID)]);
      expect(text(ds.PatientID), where).toMatch(/^SE[0-9A-F]{14}$/);
      expect((ds.DeidentificationMethodCodeSequence as Array<{ CodeValue: string }>).map((c) => c.CodeValue)).toContain('113105');
      // the series still say what they are, the algorithm how it ran
      expect(isCleanDescriptor(ds.SeriesDescription), where).toBe(true);
      if (i.sopClassUid === COMPREHENSIVE_SR) expect(isCleanDescriptor((ds.ContributingEquipmentSequence as Dataset[])[0]!.ContributionDescription), where).toBe(true);
      for (const needle of [NAMES.patient, NAMES.decider, NAMES.late, NAMES.signer, NAMES.organization, 'St Olaf', NAMES.serial, 'ROE^ANNA', 'Rita Osei'])
        expect(i.bytes.includes(Buffer.from(needle)), `${where}: ${needle}`).toBe(false);
    }
    // the control: the identified signed report names the organization, the serial and the series
    const sr = identified.find((i) => kindOf(i) === 'SR TID 1500')!;
    for (const needle of [NAMES.organization, NAMES.serial, 'Fetal biometry (AI results)']) expect(sr.bytes.includes(Buffer.from(needle)), needle).toBe(true);
  });

  it('a descriptor not of the fixed vocabulary is removed (X), as are the other names and places of the table, at any depth', () => {
    const planted = identified.map((i) => {
      const ds = structuredClone(i.dataset);
      ds.SeriesDescription = `Scan of ${NAMES.patient} by ${NAMES.decider}`;
      ds.StudyDescription = `${NAMES.patient} 21 weeks`;
      ds.InstitutionName = NAMES.organization;
      ds.StationName = 'ST-OLAF-US1';
      ds.OperatorsName = NAMES.decider;
      ds.PerformingPhysicianName = NAMES.late;
      ds.PatientComments = 'lives at 1 Main Street'; // in no list: removed all the same
      const equipment = ds.ContributingEquipmentSequence as Dataset[] | undefined;
      if (equipment) equipment[0] = { ...equipment[0], ContributionDescription: `Run by ${NAMES.decider} at ${NAMES.organization}`, InstitutionName: NAMES.organization };
      return { i, bytes: writePart10(deidentify(ds, { secret: 'dates-secret', patientKey: NAMES.patientId, dates: 'shift' })) };
    });
    planted.forEach(({ i, bytes }, n) => {
      const ds = readPart10(bytes);
      for (const k of ['SeriesDescription', 'StudyDescription', 'InstitutionName', 'StationName', 'OperatorsName', 'PerformingPhysicianName', 'PatientComments'])
        expect(ds, `${kindOf(i)} ${k}`).not.toHaveProperty(k);
      const equipment = ds.ContributingEquipmentSequence as Dataset[] | undefined;
      if (equipment) expect(Object.keys(equipment[0]!)).not.toEqual(expect.arrayContaining(['ContributionDescription']));
      if (equipment) expect(equipment[0]).not.toHaveProperty('InstitutionName');
      for (const needle of ['Main Street', 'St Olaf', 'ST-OLAF', 'Alice Martin', 'Bob Stone', NAMES.patient]) expect(bytes.includes(Buffer.from(needle)), `${kindOf(i)}: ${needle}`).toBe(false);
      if (hasDciodvfy) expect(dciodvfyErrors(dir, `planted-${n}`, bytes), kindOf(i)).toEqual([]);
    });
  });

  it('dates shifted: an instant in SR text moves back by the days the Study Date moved, its time of day kept', () => {
    const days = dateShiftDays('dates-secret', NAMES.patientId);
    const c = e.exam.captures[0]!;
    const real = [...c.measurements.flatMap((m) => (m.decidedAt ? [m.decidedAt] : [])), ...(c.clinicianMeasurements ?? []).map((m) => m.at)];
    expect(real).toHaveLength(3); // the corrected HC, the late BPD, the caliper
    for (const kind of ['SR TID 1500']) {
      expect(text(readPart10(shifted.find((i) => kindOf(i) === kind)!.bytes).PatientID)).toBe(pseudonym('dates-secret', NAMES.patientId));
      const before = identified.find((i) => kindOf(i) === kind)!;
      const after = shifted.find((i) => kindOf(i) === kind)!;
      const ds = readPart10(after.bytes);
      const studyMoved = daUtc(text(ds.StudyDate)) - daUtc(text(before.dataset.StudyDate));
      expect(studyMoved).toBe(-days * 86_400_000);
      const said = findings(ds).join('\n');
      expect(said).not.toContain('(time removed)');
      for (const iso of real) {
        expect(said, iso).toContain(new Date(Date.parse(iso) + studyMoved).toISOString());
        expect(said, iso).not.toContain(iso.slice(0, 10));
      }
      // the revision's own Content Date and Time (the late decision's) moved alike: the day back, the time kept
      expect(text(ds.ContentDate)).toBe(new Date(e.late.at.getTime() + studyMoved).toISOString().slice(0, 10).replace(/-/g, ''));
      expect(text(ds.ContentTime)).toBe(text(before.dataset.ContentTime));
    }
    // dates removed: the instants go, as before
    const gone = findings(readPart10(removed.find((i) => kindOf(i) === 'SR TID 1500')!.bytes)).join('\n');
    expect(gone.match(/\(time removed\)/g)).toHaveLength(3);
  });

  it.skipIf(!hasDciodvfy)('every de-identified instance passes dciodvfy with no error, dates shifted and removed', () => {
    [...shifted, ...removed].forEach((i, n) => expect(dciodvfyErrors(dir, `deid-${n}`, i.bytes), kindOf(i)).toEqual([]));
  });

  it.skipIf(!orthancAvailable)('a real Orthanc stores each one and gives back the series names and the dummy organization', async () => {
    const shared = inject('orthanc')!;
    const orthanc = new OrthancServer(shared);
    const sent = [...shifted, ...removed];
    const r = await new StowClient({ name: 'orthanc', url: shared.dicomWeb, username: shared.user, password: shared.password }).store(sent);
    expect(r.error).toBeUndefined();
    expect(r.instances.filter((x) => x.outcome !== 'stored')).toEqual([]);
    expect(r.instances).toHaveLength(sent.length);
    for (const i of sent) {
      const found = (await (await fetch(`${shared.root}/tools/lookup`, { method: 'POST', headers: orthanc.auth(), body: i.sopInstanceUid })).json()) as Array<{ ID: string; Type: string }>;
      const id = found.find((f) => f.Type === 'Instance')!.ID;
      const back = readPart10(await orthanc.file(id));
      expect(text(back.SeriesDescription), kindOf(i)).toBe(text(i.dataset.SeriesDescription));
      const v = (back.VerifyingObserverSequence as Dataset[] | undefined)?.[0];
      if (v) expect([text(v.VerifyingOrganization), text(v.VerifyingObserverName)]).toEqual(['REMOVED', expect.stringMatching(ALIAS)]);
    }
  });
});
