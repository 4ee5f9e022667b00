/**
 * The comment a decision after closing adds to its report revision (src/records/late-decision.ts) follows the
 * rule of every revision's notes (ReportRevision.notes): it never names. Who decided is said where it belongs,
 * in the measurement's own Finding and as a person observer, by name in the identified copy and by keyed alias
 * in the de-identified one; before, the note named the clinician too, and the PACS copy carried their alias
 * only because that person was also an observer.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { decideMeasurement } from '../../src/records/late-decision.js';
import { clinicianAlias } from '../../src/sync/deidentify.js';
import { type Dataset, readPart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeClosedExam } from '../helpers/exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'note-secret';
const DECIDER = 'Dr Bob Stone';
const code = (i: Dataset): string | undefined => (i.ConceptNameCodeSequence as Dataset[] | undefined)?.[0]?.CodeValue as string | undefined;
/** Every content item of an SR, depth first. */
const items = (list: Dataset[] | undefined): Dataset[] => (list ?? []).flatMap((i) => [i, ...items(i.ContentSequence as Dataset[] | undefined)]);

describe('the note of a decision after closing', () => {
  const dir = tempDir('late-note-');
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const { store, exam: closed } = makeClosedExam(db);
  const bpd = closed.captures[0]!.measurements.find((m) => m.kind === 'bpd')!;
  let sent: { revision: number; at: Date; notes: string[] } | undefined;
  decideMeasurement(db, store, bpd.id, { decision: 'confirmed', by: DECIDER }, (_exam, revision, at, notes) => {
    sent = { revision, at, notes };
    return undefined;
  });
  const exam = store.getExam(closed.id);
  const srOf = (deidentified: boolean): Dataset => {
    const list = buildExamInstances(exam, (id) => store.capturePixels(id), {
      secret: SECRET,
      dates: 'shift',
      deviceSerial: 'SN',
      softwareVersion: '0',
      deidentified,
      report: { revision: sent!.revision, at: sent!.at, notes: sent!.notes },
    });
    return readPart10(list.find((i) => i.sopClassUid === COMPREHENSIVE_SR)!.bytes);
  };

  it('says what was decided after closing, and names no one', () => {
    expect(sent!.notes).toEqual(['bpd confirmed after the exam was closed']);
    for (const part of DECIDER.split(' ')) expect(sent!.notes.join(' ')).not.toContain(part);
  });

  it('in both copies the comment names no one; the Finding says who decided (name, or alias)', () => {
    for (const [deidentified, who] of [
      [false, DECIDER],
      [true, clinicianAlias(SECRET, DECIDER)],
    ] as const) {
      const all = items(srOf(deidentified).ContentSequence as Dataset[]);
      const comments = all.filter((i) => code(i) === '121106').map((i) => i.TextValue as string);
      expect(comments, `deidentified ${deidentified}`).toContain('bpd confirmed after the exam was closed');
      for (const t of comments) {
        expect(t).not.toContain('Stone');
        expect(t).not.toContain('CLINICIAN^');
      }
      const findings = all.filter((i) => code(i) === '121071').map((i) => i.TextValue as string);
      expect(
        findings.some((t) => t.startsWith(`confirmed by ${who} at `)),
        `deidentified ${deidentified}: ${findings.join(' | ')}`,
      ).toBe(true);
    }
  });
});
