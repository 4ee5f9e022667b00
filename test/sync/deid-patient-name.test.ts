/**
 * The patient's pseudonym in Patient's Name (0010,0010) is a valid Person Name: the keyed pseudonym as the
 * family name, `SE…^`. Written bare (`SE…`, no component delimiter) it was the retired PN form, and dciodvfy
 * warned "Value dubious for this VR … Retired Person Name form" on every instance that left (session-14 notes).
 * Patient ID (LO) keeps the bare pseudonym, the one the QA export uses, so one patient's exams still link.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pseudonym } from '../../src/sync/deidentify.js';
import { type Dataset, readPart10 } from '../../src/sync/dicom-file.js';
import { tempDir } from '../helpers/tmp.js';
import { NAMES, everyKindExam } from './every-kind-exam.js';
import { kindOf } from './instance-kind.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;
const pn = (v: unknown): string => (Array.isArray(v) ? String((v[0] as { Alphabetic?: unknown }).Alphabetic ?? '') : String(v));

describe("Patient's Name pseudonym", () => {
  const dir = tempDir('deid-pn-');
  const e = everyKindExam(dir);
  const built = [...e.build({ dates: 'shift', deidentified: true }), ...e.build({ dates: 'remove', deidentified: true, secret: 'other-secret' })];

  it('is the keyed pseudonym as the family name of a PN (SE…^); Patient ID the bare pseudonym', () => {
    expect(new Set(built.map(kindOf))).toEqual(new Set(['US image', 'US overlay', 'US multi-frame', 'SR TID 1500', 'SR TID 5000']));
    for (const i of built) {
      const ds: Dataset = readPart10(i.bytes);
      const id = String(ds.PatientID);
      expect([pseudonym('dates-secret', NAMES.patientId), pseudonym('other-secret', NAMES.patientId)], kindOf(i)).toContain(id);
      expect(pn(ds.PatientName), kindOf(i)).toBe(`${id}^`);
    }
  });

  it.skipIf(!hasDciodvfy)("dciodvfy says nothing of Patient's Name, and no error, on any instance", () => {
    for (const [n, i] of built.entries()) {
      const file = join(dir, `pn-${n}.dcm`);
      writeFileSync(file, i.bytes);
      const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
      const lines = (r.stdout + r.stderr).split('\n');
      expect(
        lines.filter((l) => l.includes("Patient's Name") || l.includes('Retired Person Name')),
        kindOf(i),
      ).toEqual([]);
      expect(
        lines.filter((l) => l.startsWith('Error')),
        kindOf(i),
      ).toEqual([]);
    }
  });
});
