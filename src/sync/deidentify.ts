/**
 * De-identification by DICOM PS3.15 Annex E, Basic Application Confidentiality Profile (113100) with the
 * Clean Pixel Data (113101), Clean Structured Content (113104) and, when dates are shifted, Retain
 * Longitudinal Temporal Information with Modified Dates (113107) options.
 *
 * sonoedge builds its own instances, so the attributes present are known; each has its Annex E action:
 * U (replace UID, consistently, keyed), Z (empty, Type 2 kept present), X (remove), D (dummy/pseudonym),
 * and dates shifted by a per-patient offset or emptied. A clinician's name becomes their keyed alias
 * (clinicianAlias), the same in every revision and exam of this device and in its QA export.
 */
import { createHmac } from 'node:crypto';
import type { ImagingRegion } from '../capture/frame.js';
import { insideShape } from '../capture/region.js';
import { type Dataset, UTC_OFFSET } from './dicom-file.js';
import { keyedUid } from './uids.js';

export interface DeidOptions {
  /** device secret: keys pseudonyms, UID mapping and date offsets */
  secret: string;
  /** the patient's link key (patient id, or the exam id for anonymous exams) */
  patientKey: string;
  dates: 'shift' | 'remove';
}

const UID_ATTRS = new Set(['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'ReferencedSOPInstanceUID', 'UID', 'DeviceUID', 'FrameOfReferenceUID']);
const DATE_ATTRS = new Set(['StudyDate', 'SeriesDate', 'ContentDate', 'AcquisitionDate', 'InstanceCreationDate']);
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
  // every person named in the instance, each with their keyed alias (found first: a Finding's text may come before the observer)
  const people = new Map<string, string>();
  walk(out, (k, v) => {
    if (PERSON_ATTRS.has(k) && typeof v === 'string') people.set(v, clinicianAlias(o.secret, v));
  });
  walk(out, (k, v, parent) => {
    if (UID_ATTRS.has(k) && typeof v === 'string') parent[k] = keyedUid(o.secret, v);
    else if (DATE_ATTRS.has(k) && typeof v === 'string') parent[k] = o.dates === 'shift' ? shiftDate(v, days) : '';
    else if (k === 'VerificationDateTime' && typeof v === 'string') parent[k] = o.dates === 'shift' ? shiftDate(v.slice(0, 8), days) + v.slice(8) : '';
    else if (PERSON_ATTRS.has(k) && typeof v === 'string') parent[k] = people.get(v);
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
