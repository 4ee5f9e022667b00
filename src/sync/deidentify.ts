/**
 * De-identification by DICOM PS3.15 Annex E, Basic Application Confidentiality Profile (113100) with the
 * Clean Pixel Data (113101), Clean Structured Content (113104), Clean Descriptors (113105) and, when dates are
 * shifted, Retain Longitudinal Temporal Information with Modified Dates (113107) options.
 *
 * sonoedge builds its own instances, so the attributes present are known; each has its Annex E action, listed
 * in src/sync/deid-table.ts: U (replace UID, consistently, keyed), Z (empty, Type 2 kept present), X (remove),
 * D (dummy/pseudonym), C (clean). An attribute that table does not classify is removed, at any depth.
 * Dates are shifted by a per-patient offset (times kept), or removed: then every date and time gets the Basic
 * profile's own action. Instants in SR text move with them: shifted by the same days, or removed. A
 * clinician's name becomes their keyed alias (clinicianAlias), the same in every revision and exam of this
 * device and in its QA export.
 */
import { createHmac } from 'node:crypto';
import type { ImagingRegion } from '../capture/frame.js';
import { insideShape } from '../capture/region.js';
import { type Action, DUMMY, OUTSIDE_TABLE, PROFILE, type TemporalVr } from './deid-table.js';
import { isCleanDescriptor } from './descriptors.js';
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

/** SOP classes whose Content Date and Content Time are Type 1 (SR Document General, PS3.3 C.17.2), so Z/D is D. */
const CONTENT_DATE_TYPE_1 = new Set([COMPREHENSIVE_SR]);

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

/** An ISO 8601 date (YYYY-MM-DD), with its time and offset when it has them: SR text writes instants by Date.toISOString. */
const ISO_INSTANT = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)/g;

/** An instant in SR text as the DICOM dates and times go: its date moved back `days` (its time kept), or removed. */
function cleanInstants(text: string, days: number | undefined): string {
  return text.replace(ISO_INSTANT, (all, y: string, m: string, d: string, time: string | undefined) => {
    if (days === undefined) return time ? '(time removed)' : '(date removed)';
    const da = shiftDate(`${y}${m}${d}`, days);
    return da ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6)}${time ?? ''}` : all;
  });
}

const isSequence = (v: unknown): v is Dataset[] => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null && !(v[0] instanceof ArrayBuffer);

/** Every person an instance names (PNAME items, the verifier), whatever attribute of the table says so. */
function peopleIn(ds: Dataset, found: Set<string>): Set<string> {
  for (const [k, v] of Object.entries(ds)) {
    if (isSequence(v)) for (const item of v) peopleIn(item, found);
    else if (PROFILE[k]?.do === 'person' && typeof v === 'string') found.add(v);
  }
  return found;
}

interface Context {
  o: DeidOptions;
  days: number;
  contentDateType1: boolean;
  people: ReadonlyMap<string, string>;
  alias: string;
}

/** One attribute's action (src/sync/deid-table.ts), on `parent` in place. */
function apply(k: string, v: unknown, a: Action, parent: Dataset, c: Context): void {
  const shift = c.o.dates === 'shift';
  switch (a.do) {
    case 'uid':
      if (typeof v === 'string') parent[k] = keyedUid(c.o.secret, v);
      return;
    case 'empty':
      parent[k] = Array.isArray(v) ? [] : '';
      return;
    case 'remove':
      delete parent[k];
      return;
    case 'dummy':
      parent[k] = a.value;
      return;
    case 'person':
      parent[k] = c.people.get(String(v)) ?? clinicianAlias(c.o.secret, String(v));
      return;
    case 'pseudonym':
      parent[k] = 'pn' in a ? `${c.alias}^` : c.alias;
      return;
    case 'descriptor':
      if (!isCleanDescriptor(v)) delete parent[k];
      return;
    case 'text':
      // Clean Structured Content: free text we wrote may name clinicians and carry instants
      if (typeof v === 'string') parent[k] = cleanInstants(replaceNames(v, c.people), shift ? c.days : undefined);
      return;
    case 'timezone':
      // the builders' fixed +0000 (every DA, TM and DT is UTC) tells nothing of where the device is, so with
      // shifted dates it stays, cleaned to that value (113107: C); with dates removed, X (Basic)
      if (shift) parent[k] = UTC_OFFSET;
      else delete parent[k];
      return;
    case 'temporal':
      if (typeof v !== 'string') delete parent[k];
      else if (shift) parent[k] = shifted(a.vr, v, c.days);
      else if (a.removed === 'X') delete parent[k];
      else if (a.removed === 'D' || (a.removed === 'Z/D' && c.contentDateType1)) parent[k] = DUMMY[a.vr];
      else parent[k] = '';
  }
}

/** Each attribute of `ds` and of its sequences' items gets its action; one the table does not know is removed. */
function clean(ds: Dataset, c: Context): void {
  for (const [k, v] of Object.entries(ds)) {
    if (k === '_vrMap') continue;
    const a = PROFILE[k];
    if (a) apply(k, v, a, ds, c);
    else if (!OUTSIDE_TABLE.has(k)) delete ds[k];
    else if (isSequence(v)) for (const item of v) clean(item, c);
  }
}

/** Returns a de-identified copy of `ds` (pixel data is shared, already cleaned by the caller). */
export function deidentify(ds: Dataset, o: DeidOptions): Dataset {
  const { PixelData, ...rest } = ds;
  const out = structuredClone(rest) as Dataset;
  // every person named in the instance, each with their keyed alias (found first: a Finding's text may come before the observer)
  const people = new Map([...peopleIn(out, new Set())].map((p) => [p, clinicianAlias(o.secret, p)]));
  clean(out, {
    o,
    days: dateShiftDays(o.secret, o.patientKey),
    contentDateType1: CONTENT_DATE_TYPE_1.has(String(ds.SOPClassUID)),
    people,
    alias: pseudonym(o.secret, o.patientKey),
  });
  out.PatientIdentityRemoved = 'YES';
  out.DeidentificationMethod = `sonoedge PS3.15 E basic+pixels+SR+descriptors, dates ${o.dates === 'shift' ? 'shifted' : 'removed'}`; // LO: ≤ 64 chars
  out.DeidentificationMethodCodeSequence = [
    { CodeValue: '113100', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Basic Application Confidentiality Profile' },
    { CodeValue: '113101', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Clean Pixel Data Option' },
    { CodeValue: '113104', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Clean Structured Content Option' },
    { CodeValue: '113105', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Clean Descriptors Option' },
    ...(o.dates === 'shift' ? [{ CodeValue: '113107', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Retain Longitudinal Temporal Information Modified Dates Option' }] : []),
  ];
  out.LongitudinalTemporalInformationModified = o.dates === 'shift' ? 'MODIFIED' : 'REMOVED';
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
