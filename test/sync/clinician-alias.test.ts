/**
 * A clinician's alias in the de-identified copy is keyed by their name with the device secret (the QA export's
 * `reader-` id), not numbered by order of appearance: a late decision by another clinician on an earlier capture
 * must not hand the unchanged decisions to someone else's alias in the amendment, and another exam names the same
 * person the same way. Names in free text are replaced whole, the longest first ("Ann" is not inside "Anna").
 * A real encrypted records file, the real late-decision path, the real export.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyedId } from '../../src/qa-export/item.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { decideMeasurement } from '../../src/records/late-decision.js';
import type { Exam } from '../../src/records/types.js';
import { clinicianAlias, dateShiftDays, deidentify, replaceNames } from '../../src/sync/deidentify.js';
import type { Dataset } from '../../src/sync/dicom-file.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { type ExportOptions, buildExamInstances } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'alias-device-secret';
const opts: ExportOptions = { secret: SECRET, dates: 'shift', deviceSerial: 'SN', softwareVersion: '0', deidentified: true };

/** Every Finding text that says who decided ("confirmed by …", "corrected by …"), in document order. */
function decisions(ds: Dataset): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.TextValue === 'string' && /^(confirmed|corrected) by /.test(o.TextValue)) out.push(o.TextValue);
      Object.values(o).forEach(walk);
    }
  };
  walk(ds.ContentSequence);
  return out;
}

/** The TID 1500 report of a build, read back from its bytes. */
function measurementReport(exam: Exam, store: ExamStore, o: ExportOptions): Dataset {
  const srs = buildExamInstances(exam, (id) => store.capturePixels(id), o).filter((i) => i.sopClassUid === COMPREHENSIVE_SR);
  return readPart10(srs.find((i) => JSON.stringify(i.dataset.ContentTemplateSequence).includes('"1500"'))!.bytes);
}

describe('clinician aliases in the de-identified reports', () => {
  const dir = tempDir('alias-');
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const store = new ExamStore(db);
  const region = { x: 0, y: 0, width: 64, height: 48, origin: 'set' as const };
  const results = [
    {
      modelId: 'fetal-head',
      modelVersion: '1',
      provider: 'cpu',
      result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: { cx: 32, cy: 24, semiMajor: 20, semiMinor: 15, angleDeg: 0 } } as never,
    },
  ];
  const capture = (examId: string, frameSeq: number) =>
    store.addCapture(examId, { frameSeq, width: 64, height: 48, channels: 1, pixels: new Uint8Array(64 * 48), pixelSpacing: { x: 0.3, y: 0.3 }, region, results }, null);
  const bob = clinicianAlias(SECRET, 'Bob Lister');
  const ada = clinicianAlias(SECRET, 'Ada Byron');

  it("keeps each clinician's alias across revisions: a late decision by another clinician renames nobody", () => {
    const exam = store.createExam({ patient: { id: 'P-1' }, datingGaWeeks: 21 });
    const c1 = capture(exam.id, 1);
    const c2 = capture(exam.id, 2);
    for (const m of c2.measurements) store.decide(m.id, { decision: 'confirmed', by: 'Bob Lister' });
    const closed = store.closeExam(exam.id, null);
    const rev0 = measurementReport(closed, store, opts);
    let rev1: Dataset | undefined;
    const hc1 = c1.measurements.find((m) => m.kind === 'hc')!;
    decideMeasurement(db, store, hc1.id, { decision: 'confirmed', by: 'Ada Byron' }, (e, revision, at, notes) => {
      rev1 = measurementReport(e, store, { ...opts, report: { revision, at, notes } });
      return { srUid: 'x', obSrUid: null };
    });
    // revision 0: only Bob decided (capture 2); revision 1: Ada's late decision on capture 1 comes first in the document
    const bobIn0 = decisions(rev0);
    expect(bobIn0.length).toBe(c2.measurements.length);
    for (const t of bobIn0) expect(t).toContain(`by ${bob} at`);
    const in1 = decisions(rev1!);
    expect(in1[0]).toContain(`confirmed by ${ada} at`);
    expect(in1.slice(1)).toEqual(bobIn0); // Bob's unchanged decisions read the same, alias included
    expect(ada).not.toBe(bob);
    // the person observers of the amendment: Ada, then Bob, each by their own alias
    const observers = (rev1!.ContentSequence as Dataset[]).filter((i) => i.PersonName !== undefined).map((i) => JSON.stringify(i.PersonName));
    expect(observers).toEqual([JSON.stringify([{ Alphabetic: ada }]), JSON.stringify([{ Alphabetic: bob }])]);
    expect(JSON.stringify([rev0, rev1])).not.toMatch(/Bob|Lister|Ada Byron/);
  });

  it('names the same clinician the same way in another exam, and as the QA export does', () => {
    const exam = store.createExam({ patient: { id: 'P-2' } });
    const c = capture(exam.id, 1);
    store.decide(c.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'corrected', value: 180, by: 'Bob Lister' });
    const texts = decisions(measurementReport(store.closeExam(exam.id, null), store, opts));
    expect(texts).toEqual([expect.stringContaining(`corrected by ${bob} at`)]);
    // the QA export's reader id for Bob (src/qa-export/item.ts) is the alias's given name: one keyed id per person
    expect(bob).toBe(`CLINICIAN^${keyedId(SECRET, 'reader-', 'reader:Bob Lister')}`);
    // a valid PN: family^given, 29 characters of the default repertoire (≤ 64 a component group)
    expect(bob).toMatch(/^CLINICIAN\^reader-[0-9a-f]{12}$/);
    // keyed: another device secret gives another alias
    expect(clinicianAlias('another-secret', 'Bob Lister')).not.toBe(bob);
  });

  it('replaces whole names in text, the longest first: "Ann" never inside "Anna", "Ann Lee" or "Joanne"', () => {
    const people = ['Ann', 'Anna', 'Ann Lee'];
    const ds: Dataset = {
      ContentSequence: [
        ...people.map((p) => ({ ValueType: 'PNAME', PersonName: p })),
        { ValueType: 'TEXT', TextValue: 'confirmed by Anna at 2026-03-04T10:20:30.000Z; Ann agreed, Ann Lee too (Joanne, Annabel: not clinicians)' },
      ],
    };
    const out = deidentify(ds, { secret: SECRET, patientKey: 'P-3', dates: 'shift' });
    const [a, anna, annLee] = people.map((p) => clinicianAlias(SECRET, p));
    const items = out.ContentSequence as Dataset[];
    expect(items.slice(0, 3).map((i) => i.PersonName)).toEqual([a, anna, annLee]);
    // dates shifted: the instant moves back by the patient's days like the DICOM dates, its time of day kept
    const at = new Date(Date.parse('2026-03-04T10:20:30.000Z') - dateShiftDays(SECRET, 'P-3') * 86_400_000).toISOString();
    expect(items[3]!.TextValue).toBe(`confirmed by ${anna} at ${at}; ${a} agreed, ${annLee} too (Joanne, Annabel: not clinicians)`);
    // an alias is not searched again for names: a clinician named like part of an alias leaves it whole
    expect(replaceNames('by CLINICIAN', new Map([['CLINICIAN', clinicianAlias(SECRET, 'CLINICIAN')], ['reader', 'X']]))).toBe(`by ${clinicianAlias(SECRET, 'CLINICIAN')}`);
  });
});
