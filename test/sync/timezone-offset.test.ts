/**
 * Every DA, TM and DT sonoedge writes is UTC, so every instance it makes says so: Timezone Offset From UTC
 * (0008,0201) = "+0000" (SOP Common, PS3.3 C.12.1: "&ZZXX", UTC is +0000, never -0000), or a PACS reads the
 * times as its own local time. Each kind of instance (raw and overlay US image, US multi-frame clip, TID 1500
 * and TID 5000 SR), identified and de-identified with shifted dates; with dates removed the Basic profile's X
 * removes it. dciodvfy finds nothing more in an instance with it than in the same instance without it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import type { StoredClip } from '../../src/records/clip-store.js';
import { readPart10, writePart10 } from '../../src/sync/dicom-file.js';
import { type DicomInstance, type ExportOptions, buildExamInstances } from '../../src/sync/export-exam.js';
import { makeClosedExam } from '../helpers/exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { kindOf } from './instance-kind.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;

function findings(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error') || l.startsWith('Warning'));
}

describe('Timezone Offset From UTC in every instance', () => {
  const dir = tempDir('tz-');
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const { store, exam } = makeClosedExam(db);
  const W = 64;
  const H = 48;
  const clip: StoredClip = {
    id: 'clip-1',
    createdAt: exam.createdAt,
    width: W,
    height: H,
    channels: 1,
    frameCount: 3,
    timestampsMs: [1000, 1033.3, 1066.6],
    region: { x: 8, y: 4, width: 48, height: 40, origin: 'set' },
    pixelSpacing: { x: 0.3, y: 0.3 },
    pixels: new Uint8Array(W * H * 3).fill(90),
  };
  const signedAt = new Date('2026-03-04T10:20:30Z');
  const base = {
    secret: 'tz-secret',
    deviceSerial: 'SN-1',
    softwareVersion: '0.1.0',
    clips: [clip],
    // a signed revision: its Verification DateTime (DT, no offset of its own) is UTC too
    report: { revision: 1, at: signedAt, verification: { observerName: 'Dr Ada Byron', organization: 'Maternity unit', at: signedAt } },
  };
  const build = (o: Pick<ExportOptions, 'dates' | 'deidentified'>): DicomInstance[] => buildExamInstances(exam, (id) => store.capturePixels(id), { ...base, ...o });
  const identified = build({ dates: 'shift', deidentified: false });
  const shifted = build({ dates: 'shift', deidentified: true });
  const removed = build({ dates: 'remove', deidentified: true });
  const KINDS = ['SR TID 1500', 'SR TID 5000', 'US image', 'US multi-frame', 'US overlay'];

  it('is "+0000" in each kind of instance, identified and with shifted dates, read back from the bytes', () => {
    for (const [name, list] of [
      ['identified', identified],
      ['shifted', shifted],
    ] as const) {
      expect([...new Set(list.map(kindOf))].sort(), name).toEqual(KINDS);
      for (const i of list) expect(readPart10(i.bytes).TimezoneOffsetFromUTC, `${name} ${kindOf(i)}`).toBe('+0000');
    }
    // the times stay UTC: the signature at 10:20:30Z is 102030 (the date shifted, the time not)
    const sr = readPart10(shifted.find((i) => kindOf(i) === 'SR TID 1500')!.bytes);
    expect(String((sr.VerifyingObserverSequence as Array<Record<string, unknown>>)[0]!.VerificationDateTime)).toMatch(/^\d{8}102030$/);
  });

  it('is removed with the dates (Basic profile: X)', () => {
    expect([...new Set(removed.map(kindOf))].sort()).toEqual(KINDS);
    for (const i of removed) expect(readPart10(i.bytes), kindOf(i)).not.toHaveProperty('TimezoneOffsetFromUTC');
  });

  it.skipIf(!hasDciodvfy)('adds no dciodvfy finding to any instance', () => {
    let n = 0;
    for (const i of [...identified, ...shifted]) {
      const { TimezoneOffsetFromUTC, ...without } = i.dataset;
      expect(TimezoneOffsetFromUTC).toBe('+0000');
      const a = join(dir, `with-${n}.dcm`);
      const b = join(dir, `without-${n++}.dcm`);
      writeFileSync(a, i.bytes);
      writeFileSync(b, writePart10(without));
      const found = findings(a);
      expect(found, kindOf(i)).toEqual(findings(b));
      expect(
        found.filter((l) => l.startsWith('Error')),
        kindOf(i),
      ).toEqual([]);
    }
  });
});
