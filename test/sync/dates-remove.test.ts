/**
 * `dates: remove`: every date and time sonoedge writes gets the action PS3.15 Table E.1-1 (Basic profile) gives
 * it, so no real day or time of day is left in any kind of instance (raw and overlay US image, US multi-frame
 * clip, TID 1500 and TID 5000 SR), read back from the bytes: Study Date/Time Z (empty), Series Date/Time X
 * (removed), Content Date/Time Z in the images and D (a dummy, 19000101 / 000000) in the SRs where they are
 * Type 1, Verification DateTime D, Timezone Offset From UTC X, and the times in an SR's text (a decision's, a
 * clinician's caliper's) replaced. Each instance still passes dciodvfy with no error (the SRs had two: empty
 * Type 1 Content Date and Verification DateTime). The identified copy is the control: the same search finds
 * the real dates and times there.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Dataset, readPart10 } from '../../src/sync/dicom-file.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { tempDir } from '../helpers/tmp.js';
import { everyKindExam } from './every-kind-exam.js';
import { kindOf } from './instance-kind.js';

const hasDciodvfy = spawnSync('dciodvfy', ['-version']).error === undefined;

/** The ways an instant can be written: DA, ISO date, TM, ISO time, hours and minutes. */
function formsOf(iso: string): { dates: string[]; times: string[] } {
  const s = new Date(iso).toISOString();
  const day = s.slice(0, 10);
  const time = s.slice(11, 19);
  return { dates: [day.replace(/-/g, ''), day], times: [time.replace(/:/g, ''), time, time.slice(0, 5)] };
}

/** Identifiers, not dates: a UID's digits or a code (121005) may look like a time of day. */
const isIdentifier = (key: string): boolean => key.endsWith('UID') || key === 'UID' || key === 'CodeValue' || key === 'TemplateIdentifier';

/** Every string value in a dataset read back, with its attribute, through sequences and PN components. */
function strings(v: unknown, key = ''): Array<[string, string]> {
  if (typeof v === 'string') return [[key, v]];
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return [];
  if (Array.isArray(v)) return v.flatMap((x) => strings(x, key));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => strings(x, /^(Alphabetic|Ideographic|Phonetic)$/.test(k) ? key : k));
  return [];
}

/** What of the real instants an instance still says: in its values read back, and in its bytes before the pixels. */
function leaks(bytes: Buffer, instants: string[]): string[] {
  const ds = readPart10(bytes);
  const values = strings(ds).filter(([k]) => !isIdentifier(k));
  const found: string[] = [];
  for (const iso of instants) {
    const { dates, times } = formsOf(iso);
    for (const [k, v] of values) for (const f of [...dates, ...times]) if (v.includes(f)) found.push(`${k}=${v} (${f})`);
  }
  // the bytes themselves, up to Pixel Data (7FE0,0010), with every UID cut out: no date and no hh:mm:ss
  const pixelsAt = bytes.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  let text = bytes.subarray(0, pixelsAt < 0 ? bytes.length : pixelsAt).toString('latin1');
  for (const [k, v] of strings(ds)) if (isIdentifier(k) && v.length > 0) text = text.split(v).join('');
  for (const iso of instants) {
    const { dates, times } = formsOf(iso);
    for (const f of [...dates, times[1]!]) if (text.includes(f)) found.push(`bytes (${f})`);
  }
  return found;
}

function dciodvfyErrors(dir: string, name: string, bytes: Buffer): string[] {
  const file = join(dir, `${name}.dcm`);
  writeFileSync(file, bytes);
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error'));
}

describe('dates: remove leaves no real date or time in any instance', () => {
  const dir = tempDir('dates-remove-');
  // raw and overlay images, a clip, both reports of a signed revision made by a decision after closing, a caliper
  const { exam, clip, late, signedAt, build } = everyKindExam(dir);
  const removed = build({ dates: 'remove', deidentified: true });
  const identified = build({ dates: 'shift', deidentified: false });
  const c = exam.captures[0]!;
  const instants = [
    exam.createdAt,
    exam.closedAt!,
    c.createdAt,
    clip.createdAt,
    late.at.toISOString(),
    signedAt.toISOString(),
    ...c.measurements.flatMap((m) => (m.decidedAt ? [m.decidedAt] : [])),
    ...(c.clinicianMeasurements ?? []).map((m) => m.at),
  ];
  const KINDS = ['SR TID 1500', 'SR TID 5000', 'US image', 'US multi-frame', 'US overlay'];

  it('builds every kind, each saying what it was made of (a decision, a caliper, a signature)', () => {
    expect([...new Set(removed.map(kindOf))].sort()).toEqual(KINDS);
    expect(c.measurements.filter((m) => m.decidedAt).length).toBe(2);
    expect(c.clinicianMeasurements).toHaveLength(1);
    expect(late.revision).toBe(1);
  });

  it('the identified copy (the control) says the real dates and times, in every kind', () => {
    for (const i of identified) expect(leaks(i.bytes, instants).length, kindOf(i)).toBeGreaterThan(0);
    const sr = identified.find((i) => kindOf(i) === 'SR TID 1500')!;
    const found = leaks(sr.bytes, instants).join('\n');
    for (const k of ['StudyTime', 'ContentTime', 'VerificationDateTime', 'TextValue']) expect(found).toContain(`${k}=`);
  });

  it('none is left in any kind, read back from the bytes, values and SR text alike', () => {
    for (const i of removed) expect(leaks(i.bytes, instants), kindOf(i)).toEqual([]);
  });

  it('each date and time has its Basic profile action: Z, X, or a dummy where Type 1', () => {
    for (const i of removed) {
      const ds = readPart10(i.bytes);
      const sr = i.sopClassUid === COMPREHENSIVE_SR;
      const empty = (v: unknown): boolean => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
      expect(Object.keys(ds), kindOf(i)).toEqual(expect.arrayContaining(['StudyDate', 'StudyTime', 'ContentDate', 'ContentTime'])); // Z keeps them present
      expect(empty(ds.StudyDate) && empty(ds.StudyTime), kindOf(i)).toBe(true);
      for (const k of ['SeriesDate', 'SeriesTime', 'TimezoneOffsetFromUTC']) expect(ds, `${kindOf(i)} ${k}`).not.toHaveProperty(k);
      if (sr) {
        expect([ds.ContentDate, ds.ContentTime], kindOf(i)).toEqual(['19000101', '000000']);
        expect((ds.VerifyingObserverSequence as Dataset[])[0]!.VerificationDateTime, kindOf(i)).toBe('19000101000000');
        expect(ds.LongitudinalTemporalInformationModified).toBe('REMOVED');
      } else expect(empty(ds.ContentDate) && empty(ds.ContentTime), kindOf(i)).toBe(true);
    }
  });

  it.skipIf(!hasDciodvfy)('every instance passes dciodvfy with no error', () => {
    removed.forEach((i, n) => expect(dciodvfyErrors(dir, `removed-${n}`, i.bytes), kindOf(i)).toEqual([]));
  });
});
