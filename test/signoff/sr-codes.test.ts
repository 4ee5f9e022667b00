/**
 * Every coded concept the SR builders write (TID 1500 measurement report of both exam types, TID 5000 OB
 * report, the de-identification method codes) is one of these, with the meaning DICOM PS3.16 gives it, each
 * checked against its source: a code written from memory that is wrong, or a new code nobody checked, fails
 * here. Sources: PS3.16 Annex D (DCM codes, as listed in the DICOM terminology distributed as FHIR code
 * systems, github.com/bvdh/dicom-terminology-in-fhir CodeSystem-dicom-dcm-codesystem.fsh) and the CIDs named.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/records/database.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeClosedBreastExam } from '../helpers/breast-exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { makeDecidedExam } from './fixture.js';

const CHECKED: Record<string, { meaning: string; source: string }> = {
  'DCM 126000': { meaning: 'Imaging Measurement Report', source: 'PS3.16 D (TID 1500 title)' },
  'DCM 126010': { meaning: 'Imaging Measurements', source: 'PS3.16 D (TID 1500)' },
  'DCM 125007': { meaning: 'Measurement Group', source: 'PS3.16 D (TID 1501)' },
  'DCM 112039': { meaning: 'Tracking Identifier', source: 'PS3.16 D (TID 1501)' },
  'DCM 112040': { meaning: 'Tracking Unique Identifier', source: 'PS3.16 D (TID 1501)' },
  'DCM 121049': { meaning: 'Language of Content Item and Descendants', source: 'PS3.16 D (TID 1204)' },
  'DCM 121058': { meaning: 'Procedure reported', source: 'PS3.16 D (TID 1500)' },
  'DCM 121005': { meaning: 'Observer Type', source: 'PS3.16 D (TID 1002)' },
  'DCM 121006': { meaning: 'Person', source: 'PS3.16 D (CID 270)' },
  'DCM 121007': { meaning: 'Device', source: 'PS3.16 D (CID 270)' },
  'DCM 121008': { meaning: 'Person Observer Name', source: 'PS3.16 D (TID 1003)' },
  'DCM 121012': { meaning: 'Device Observer UID', source: 'PS3.16 D (TID 1004)' },
  'DCM 121013': { meaning: 'Device Observer Name', source: 'PS3.16 D (TID 1004)' },
  'DCM 121071': { meaning: 'Finding', source: 'PS3.16 D' },
  'DCM 121106': { meaning: 'Comment', source: 'PS3.16 D' },
  'DCM 111047': { meaning: 'Probability of cancer', source: 'PS3.16 D' },
  'DCM 121112': { meaning: 'Source of Measurement', source: 'PS3.16 D, CID 7552 (the purpose of TID 300 → TID 320 SCOORD)' },
  'DCM 125000': { meaning: 'OB-GYN Ultrasound Procedure Report', source: 'PS3.16 D, CID 12024 (TID 5000 title)' },
  'DCM 125002': { meaning: 'Fetal Biometry', source: 'PS3.16 D (TID 5000 section; 125001 is Fetal Biometry Ratios)' },
  'DCM 125005': { meaning: 'Biometry Group', source: 'PS3.16 D (TID 5008)' },
  'DCM 121420': { meaning: 'Equation', source: 'PS3.16 D, CID 228' },
  'DCM 121424': { meaning: 'Table of Values', source: 'PS3.16 D, CID 228' },
  'DCM 113100': { meaning: 'Basic Application Confidentiality Profile', source: 'PS3.15 E, CID 7050' },
  'DCM 113101': { meaning: 'Clean Pixel Data Option', source: 'PS3.15 E, CID 7050' },
  'DCM 113104': { meaning: 'Clean Structured Content Option', source: 'PS3.15 E, CID 7050' },
  'DCM 113105': { meaning: 'Clean Descriptors Option', source: 'PS3.15 E, CID 7050' },
  'DCM 113107': { meaning: 'Retain Longitudinal Temporal Information Modified Dates Option', source: 'PS3.15 E, CID 7050' },
  'LN 11984-2': { meaning: 'Head Circumference', source: 'CID 12005 Fetal Biometry Measurement' },
  'LN 11820-8': { meaning: 'Biparietal Diameter', source: 'CID 12005' },
  'LN 11851-3': { meaning: 'Occipital-Frontal Diameter', source: 'CID 12005' },
  'LN 18185-9': { meaning: 'Gestational Age', source: 'TID 5008 (CID 12013 context)' },
  'LN 11932-1': { meaning: 'HC, Hadlock 1984', source: 'CID 12013 Gestational Age Equations and Tables' },
  'LN 11951-1': { meaning: 'Fetus ID', source: 'TID 1008' },
  'SCT 268445003': { meaning: 'Ultrasound scan - obstetric', source: 'CID 12024 OB-GYN Ultrasound Report Document Title' },
  'SCT 47079000': { meaning: 'Ultrasonography of breast', source: 'CID 6050 (via CID 6083 Procedures for Breast)' },
  'SCT 103339001': { meaning: 'Long Axis', source: 'CID 7470 Linear Measurement' },
  'SCT 131189007': { meaning: 'Perpendicular Axis', source: 'CID 7470 Linear Measurement' },
  'SCT 363698007': { meaning: 'Finding Site', source: 'PS3.16 (TID 1501 concept modifier)' },
  'SCT 76752008': { meaning: 'Breast', source: 'CID 4031 Common Anatomic Region' },
  'UCUM mm': { meaning: 'millimeter', source: 'CID 7181 / UCUM' },
  'UCUM wk': { meaning: 'week', source: 'UCUM' },
  'UCUM d': { meaning: 'day', source: 'UCUM' },
  'UCUM %': { meaning: 'percent', source: 'UCUM' },
  'UCUM 1': { meaning: 'no units', source: 'UCUM (CID 82)' },
  'UCUM {pixel}': { meaning: 'pixel', source: 'UCUM annotation' },
  'RFC5646 en': { meaning: 'English', source: 'CID 5000 Language' },
  // IHE AI Results (trial implementation): Purpose of Reference of the algorithm in Contributing Equipment, no DICOM code yet
  '99IHE Newcode1': { meaning: 'Processing Algorithm', source: 'IHE Radiology AIR supplement' },
};

type Code = { CodeValue: string; CodingSchemeDesignator: string; CodeMeaning: string };

function codesIn(node: unknown, out: Code[] = []): Code[] {
  if (Array.isArray(node)) for (const n of node) codesIn(n, out);
  else if (node && typeof node === 'object' && !(node instanceof ArrayBuffer)) {
    const o = node as Record<string, unknown>;
    if (typeof o.CodeValue === 'string' && typeof o.CodingSchemeDesignator === 'string') out.push(o as unknown as Code);
    for (const v of Object.values(o)) codesIn(v, out);
  }
  return out;
}

describe('codes in the SR builders', () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'r.db'), 'b'.repeat(64));
  const opts = { secret: 'k', dates: 'shift' as const, deviceSerial: 'SN', softwareVersion: '0', deidentified: true };
  const ob = makeDecidedExam(db);
  const breast = makeClosedBreastExam(db);
  const all = [ob, breast].flatMap(({ store, exam }) => buildExamInstances(exam, (id) => store.capturePixels(id), opts));

  it('every standard code is one PS3.16 lists, with its meaning', () => {
    const seen = new Map<string, string>();
    for (const i of all) for (const c of codesIn(i.dataset)) if (c.CodingSchemeDesignator !== '99SONO') seen.set(`${c.CodingSchemeDesignator} ${c.CodeValue}`, c.CodeMeaning);
    const wrong = [...seen].filter(([key, meaning]) => CHECKED[key]?.meaning !== meaning).map(([key, meaning]) => `${key} "${meaning}"`);
    expect(wrong).toEqual([]);
    // the builders use what the table was written for (both SR templates, both exam types)
    for (const key of ['DCM 125000', 'LN 11932-1', 'SCT 131189007', 'DCM 111047', 'SCT 268445003', 'SCT 47079000']) expect(seen.has(key), key).toBe(true);
  });

  it('local codes are declared as such in Coding Scheme Identification', () => {
    for (const i of all.filter((x) => x.sopClassUid === COMPREHENSIVE_SR)) {
      const local = codesIn(i.dataset).filter((c) => c.CodingSchemeDesignator === '99SONO');
      if (local.length === 0) continue;
      expect((i.dataset.CodingSchemeIdentificationSequence as Array<{ CodingSchemeDesignator: string }>).map((s) => s.CodingSchemeDesignator)).toContain('99SONO');
    }
  });
});
