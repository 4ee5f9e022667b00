/**
 * De-identification by DICOM PS3.15 Annex E, Basic Application Confidentiality Profile (113100) with the
 * Clean Pixel Data (113101), Clean Structured Content (113104) and, when dates are shifted, Retain
 * Longitudinal Temporal Information with Modified Dates (113107) options.
 *
 * sonoedge builds its own instances, so the attributes present are known; each has its Annex E action:
 * U (replace UID, consistently, keyed), Z (empty, Type 2 kept present), X (remove), D (dummy/pseudonym).
 * Dates are shifted by a per-patient offset (times kept), or removed: then every date and time gets the Basic
 * profile's own action (DATE_TIME_ATTRS). A clinician's name becomes their keyed alias (clinicianAlias), the
 * same in every revision and exam of this device and in its QA export.
 */
import { createHmac } from 'node:crypto';
import type { ImagingRegion } from '../capture/frame.js';
import { insideShape } from '../capture/region.js';
import { type Dataset, UTC_OFFSET } from './dicom-file.js';
import { COMPREHENSIVE_SR } from './sr-revision-status.js';
import { keyedUid } from './uids.js';

export interface DeidOptions {
  /** device secret: keys pseudonyms, UID mapping and date offsets */
  secret: string;
  /** the patient's link key (patient id, or the exam id for anonymous exams) */
  patientKey: string;
  dates: 'shift' | 'remove';
}

const UID_ATTRS = new Set(['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'ReferencedSOPInstanceUID', 'UID', 'DeviceUID', 'FrameOfReferenceUID']);

type TemporalVr = 'DA' | 'TM' | 'DT';
/**
 * Every date and time attribute sonoedge writes (and those an SR content item may carry: DATE, TIME and
 * DATETIME values), with its VR and its action in the Basic profile (PS3.15 Table E.1-1) when dates are removed:
 * Z empty (Type 2, kept present), X remove (Type 3), D a dummy value valid for the VR; Z/D empty unless the
 * attribute is Type 1 in the instance's IOD, then a dummy. With shifted dates (113107) a DA moves back by the
 * patient's offset, a DT's date part likewise, and a TM stays (the option keeps times, moves only dates).
 */
const DATE_TIME_ATTRS: Readonly<Record<string, { vr: TemporalVr; removed: 'Z' | 'X' | 'D' | 'Z/D' }>> = {
  StudyDate: { vr: 'DA', removed: 'Z' },
  StudyTime: { vr: 'TM', removed: 'Z' },
  SeriesDate: { vr: 'DA', removed: 'X' }, // X/D: Type 3 in General Series
  SeriesTime: { vr: 'TM', removed: 'X' },
  ContentDate: { vr: 'DA', removed: 'Z/D' }, // Type 2C in General Image, Type 1 in SR Document General
  ContentTime: { vr: 'TM', removed: 'Z/D' },
  AcquisitionDate: { vr: 'DA', removed: 'X' }, // X/Z (not written today)
  InstanceCreationDate: { vr: 'DA', removed: 'X' }, // X/D (not written today)
  VerificationDateTime: { vr: 'DT', removed: 'D' }, // Type 1 in the Verifying Observer Sequence
  Date: { vr: 'DA', removed: 'D' }, // (0040,A121) an SR DATE content item's value
  Time: { vr: 'TM', removed: 'D' }, // (0040,A122) TIME
  DateTime: { vr: 'DT', removed: 'D' }, // (0040,A120) DATETIME
};
/** Dummy values (action D) that stay valid for their VR and name no real day or time. */
const DUMMY: Readonly<Record<TemporalVr, string>> = { DA: '19000101', TM: '000000', DT: '19000101000000' };
/** SOP classes whose Content Date and Content Time are Type 1 (SR Document General, PS3.3 C.17.2), so Z/D is D. */
const CONTENT_DATE_TYPE_1 = new Set([COMPREHENSIVE_SR]);
const EMPTY_ATTRS = ['PatientBirthDate', 'PatientSex', 'AccessionNumber', 'StudyID', 'ReferringPhysicianName'];
const REMOVE_ATTRS = ['DeviceSerialNumber', 'OperatorsName', 'PatientAddress', 'OtherPatientIDs', 'InstitutionName', 'StationName'];
const PERSON_ATTRS = new Set(['PersonName', 'VerifyingObserverName']);

/**
 * A keyed id: the same input gives the same id in every export of this device (the QA export's item, exam and
 * `reader-` ids, the PACS copy's clinician aliases), and no way back without the device secret.
 */
export function keyedId(secret: string, prefix: string, input: string): string {
  return prefix + createHmac('sha256', secret).update(`qa:${input}`).digest('hex').slice(0, 12);
}

/** A clinician's keyed id, `reader-` and 12 hex digits: the QA export's `by`, and the given name of their alias. */
export function readerId(secret: string, name: string): string {
  return keyedId(secret, 'reader-', `reader:${name}`);
}

/**
 * What a clinician's name becomes in a de-identified instance: a PN (family name CLINICIAN, given name their
 * reader id; 29 characters, within PN's 64 per component group) that is the same for that person in every
 * revision of a report, every exam of this device and its QA export, not numbered by order of appearance.
 */
export function clinicianAlias(secret: string, name: string): string {
  return `CLINICIAN^${readerId(secret, name)}`;
}

const WORD_CHAR = '[\\p{L}\\p{M}\\p{N}_]';

/**
 * Replaces each known name in free text by its alias: whole names only (not "Ann" inside "Anna" or "Joanne"),
 * the longest first ("Ann Lee" before "Ann"), in one pass, so an alias is never searched again for a name.
 */
export function replaceNames(text: string, aliases: ReadonlyMap<string, string>): string {
  const names = [...aliases.keys()].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  if (names.length === 0) return text;
  const any = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return text.replace(new RegExp(`(?<!${WORD_CHAR})(?:${any})(?!${WORD_CHAR})`, 'gu'), (name) => aliases.get(name) ?? name);
}

/** Keyed pseudonym: one patient's exams link across visits without revealing who they are. */
export function pseudonym(secret: string, patientKey: string): string {
  return (
    'SE' +
    createHmac('sha256', secret)
      .update('patient:' + patientKey)
      .digest('hex')
      .slice(0, 14)
      .toUpperCase()
  );
}

/** Days to shift this patient's dates back (1–365), the same for all their exams. */
export function dateShiftDays(secret: string, patientKey: string): number {
  return (
    1 +
    (parseInt(
      createHmac('sha256', secret)
        .update('dates:' + patientKey)
        .digest('hex')
        .slice(0, 8),
      16,
    ) %
      365)
  );
}

function shiftDate(da: string, days: number): string {
  if (!/^\d{8}$/.test(da)) return '';
  const t = Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8))) - days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
}

/** A date or time under shifted dates: a DA (a DT's date part) moved back `days`, a TM as it is. */
function shifted(vr: TemporalVr, v: string, days: number): string {
  if (vr === 'TM') return v;
  if (vr === 'DA') return shiftDate(v, days);
  return shiftDate(v.slice(0, 8), days) + v.slice(8);
}

function walk(ds: Dataset, fn: (key: string, value: unknown, parent: Dataset) => void): void {
  for (const [k, v] of Object.entries(ds)) {
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null && !(v[0] instanceof ArrayBuffer)) {
      for (const item of v as Dataset[]) walk(item, fn);
    } else fn(k, v, ds);
  }
}

/** Returns a de-identified copy of `ds` (pixel data is shared, already cleaned by the caller). */
export function deidentify(ds: Dataset, o: DeidOptions): Dataset {
  const { PixelData, ...rest } = ds;
  const out = structuredClone(rest) as Dataset;
  const days = dateShiftDays(o.secret, o.patientKey);
  const contentDateType1 = CONTENT_DATE_TYPE_1.has(String(ds.SOPClassUID));
  // every person named in the instance, each with their keyed alias (found first: a Finding's text may come before the observer)
  const people = new Map<string, string>();
  walk(out, (k, v) => {
    if (PERSON_ATTRS.has(k) && typeof v === 'string') people.set(v, clinicianAlias(o.secret, v));
  });
  walk(out, (k, v, parent) => {
    if (UID_ATTRS.has(k) && typeof v === 'string') parent[k] = keyedUid(o.secret, v);
    else if (Object.hasOwn(DATE_TIME_ATTRS, k) && typeof v === 'string') {
      const { vr, removed } = DATE_TIME_ATTRS[k]!;
      if (o.dates === 'shift') parent[k] = shifted(vr, v, days);
      else if (removed === 'X') delete parent[k];
      else if (removed === 'D' || (removed === 'Z/D' && contentDateType1)) parent[k] = DUMMY[vr];
      else parent[k] = '';
    } else if (PERSON_ATTRS.has(k) && typeof v === 'string') parent[k] = people.get(v);
    else if (k === 'TextValue' && typeof v === 'string') {
      // Clean Structured Content: free text we wrote may name clinicians and carry dates
      parent[k] = replaceNames(v, people).replace(/\b\d{4}-\d{2}-\d{2}T[\d:.]+Z\b/g, '(time removed)');
    }
  });
  const alias = pseudonym(o.secret, o.patientKey);
  out.PatientName = alias;
  out.PatientID = alias;
  for (const k of EMPTY_ATTRS) if (k in out) out[k] = '';
  for (const k of REMOVE_ATTRS) delete out[k];
  // Timezone Offset From UTC: the builders' fixed +0000 (every DA, TM and DT is UTC) tells nothing of where the
  // device is, so with shifted dates it stays, cleaned to that value (113107: C); with dates removed, X (Basic)
  if ('TimezoneOffsetFromUTC' in out) {
    if (o.dates === 'shift') out.TimezoneOffsetFromUTC = UTC_OFFSET;
    else delete out.TimezoneOffsetFromUTC;
  }
  out.PatientIdentityRemoved = 'YES';
  out.DeidentificationMethod = `sonoedge PS3.15 E basic+pixels+SR, dates ${o.dates === 'shift' ? 'shifted' : 'removed'}`; // LO: ≤ 64 chars
  out.DeidentificationMethodCodeSequence = [
    { CodeValue: '113100', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Basic Application Confidentiality Profile' },
    { CodeValue: '113101', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Clean Pixel Data Option' },
    { CodeValue: '113104', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Clean Structured Content Option' },
    ...(o.dates === 'shift' ? [{ CodeValue: '113107', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Retain Longitudinal Temporal Information Modified Dates Option' }] : []),
  ];
  if (o.dates === 'shift') out.LongitudinalTemporalInformationModified = 'MODIFIED';
  else out.LongitudinalTemporalInformationModified = 'REMOVED';
  if (PixelData !== undefined) out.PixelData = PixelData;
  return out;
}

/**
 * Clean Pixel Data: everything outside the imaging region (where scanners burn in names and dates) is zeroed;
 * for a fan (a sector drawn by a technician) the corners of its bounding rectangle outside the sector too.
 */
export function cleanPixels(pixels: Uint8Array, width: number, height: number, region: Pick<ImagingRegion, 'x' | 'y' | 'width' | 'height' | 'fan'>): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const fan = region.fan;
  for (let y = region.y; y < Math.min(height, region.y + region.height); y++) {
    const start = y * width + region.x;
    out.set(pixels.subarray(start, start + Math.min(region.width, width - region.x)), start);
    if (!fan) continue;
    for (let x = region.x; x < Math.min(width, region.x + region.width); x++) if (!insideShape({ fan }, x, y)) out[y * width + x] = 0;
  }
  return out;
}
