/**
 * Patients and exams in the records (issue 18), on a real encrypted SQLite file: the daemon's own checks of
 * a new exam (no 30 February, no future birth date, LMP/EDD dating), voiding, the patient search and the
 * growth visits that take the decided HC, not the last capture.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { checkNewExam } from '../../src/records/new-exam-checks.js';
import { PatientRecords } from '../../src/records/patient-records.js';
import { checkBirthDate, gaFromEdd, gaFromLmp, parseDecimal, parseGaWeeks } from '../../src/protocol/rest/patient-checks.js';
import { tempDir } from '../helpers/tmp.js';

function hcCapture(store: ExamStore, examId: string, seq: number, hcMm: number) {
  const px = new Uint8Array(64 * 48).fill(30);
  const result = { task: 'fetal-head', hcMm, bpdMm: 48, ofdMm: 61, gaWeeks: 20 } as never;
  return store.addCapture(examId, { frameSeq: seq, width: 64, height: 48, channels: 1, pixels: px, pixelSpacing: { x: 0.2, y: 0.2 }, region: { x: 0, y: 0, width: 64, height: 48 }, results: [{ modelId: 'fetal-head', modelVersion: '1', provider: 'cpu', result }] }, null);
}

describe('typed values, checked the same in the page and the daemon', () => {
  it('reads a decimal comma as a decimal, refuses what could be read two ways', () => {
    expect(parseDecimal('22,5')).toBe(22.5);
    expect(parseDecimal('22.5')).toBe(22.5);
    for (const bad of ['22,5,1', '1,234.5', '22 5', 'abc', '', '-3']) expect(parseDecimal(bad), bad).toBe('not-a-number');
    expect(parseGaWeeks('22,5')).toBe(22.5);
    expect(parseGaWeeks('22+3')).toBeCloseTo(22 + 3 / 7, 10);
    expect(parseGaWeeks('225')).toBe('out-of-range'); // "22,5" can never become 225 silently
    expect(parseGaWeeks('22+9')).toBe('not-a-number');
  });

  it('refuses 30 February, a future birth date and a date before 1900', () => {
    expect(checkBirthDate('19900230', '20261206')).toBe('not-a-date');
    expect(checkBirthDate('19901301', '20261206')).toBe('not-a-date');
    expect(checkBirthDate('20261207', '20261206')).toBe('date-in-future');
    expect(checkBirthDate('18991231', '20261206')).toBe('date-too-old');
    expect(checkBirthDate('20000229', '20261206')).toBeUndefined(); // a leap day
    expect(checkBirthDate('19000229', '20261206')).toBe('not-a-date'); // 1900 was not a leap year
  });

  it('dates a pregnancy from the LMP or the EDD (Naegele: 280 days)', () => {
    expect(gaFromLmp('20260705', '20261206')).toBeCloseTo(154 / 7, 10); // 22 weeks exactly
    expect(gaFromEdd('20270412', '20261206')).toBeCloseTo(40 - 127 / 7, 10);
    expect(gaFromLmp('20261210', '20261206')).toBe('date-in-future');
    expect(gaFromLmp('20250101', '20261206')).toBe('dating-out-of-range');
    expect(checkNewExam({ datingMethod: 'lmp', datingDate: '20260705' }, '20261206')).toBeCloseTo(22, 10);
    expect(() => checkNewExam({ datingMethod: 'edd' }, '20261206')).toThrow(expect.objectContaining({ code: 'SONO_DATING_INVALID' }));
    expect(() => checkNewExam({ datingMethod: 'lmp', datingDate: '20260705', datingGaWeeks: 30 }, '20261206')).toThrow(/disagrees/);
    expect(() => checkNewExam({ patient: { birthDate: '19900230' } }, '20261206')).toThrow(expect.objectContaining({ code: 'SONO_PATIENT_INVALID', message: expect.stringMatching(/^The birth date 19900230 is not a day/) }));
  });
});

describe('exam store: patients, voiding, growth visits (real encrypted SQLite)', () => {
  const dir = tempDir();
  const file = join(dir, 'records.db');
  const db = openDatabase(file, randomBytes(32).toString('hex'));
  const store = new ExamStore(db);
  const patients = new PatientRecords(db);

  it('stores the dating method, date and accession number, and works the GA out of an LMP', () => {
    const lmp = new Date(Date.now() - 140 * 86_400_000);
    const p = (n: number) => String(n).padStart(2, '0');
    const lmpText = `${lmp.getFullYear()}${p(lmp.getMonth() + 1)}${p(lmp.getDate())}`;
    const e = store.createExam({ patient: { name: 'MARTIN^ANNE', id: 'PAT-100' }, datingMethod: 'lmp', datingDate: lmpText, accessionNumber: 'ACC-9' });
    expect(e.datingMethod).toBe('lmp');
    expect(e.datingDate).toBe(lmpText);
    expect(e.datingGaWeeks!).toBeGreaterThan(19.8);
    expect(e.datingGaWeeks!).toBeLessThan(20.2);
    expect(e.accessionNumber).toBe('ACC-9');
    // today's body still works and records the GA as typed
    expect(store.createExam({ patient: { name: 'DOE^JANE', id: 'P-1' }, datingGaWeeks: 21 })).toMatchObject({ datingGaWeeks: 21, datingMethod: 'ga' });
  });

  it('finds earlier patients by part of the ID or name, in any case, spaces for ^; % and _ are literal', () => {
    store.createExam({ patient: { name: 'DUPONT^MARIE', id: 'IPP-2001', birthDate: '19910304', sex: 'F' } });
    store.createExam({ patient: { name: 'DUPONT^MARIE CLAIRE', id: 'IPP-2001' } });
    store.createExam({ patient: { name: 'LEGRAND^ZOE', id: 'IPP_3002' } });
    expect(patients.search('dupont marie').map((p) => p.id)).toEqual(['IPP-2001']);
    const dupont = patients.search('2001')[0]!;
    expect(dupont).toMatchObject({ id: 'IPP-2001', name: 'DUPONT^MARIE CLAIRE', examCount: 2 }); // the newest exam's spelling
    expect(patients.search('IPP_').map((p) => p.id)).toEqual(['IPP_3002']); // "_" is not a wildcard
    expect(patients.search('%')).toEqual([]);
    expect(patients.search('zzz')).toEqual([]);
    // the file on disk is encrypted: the name searched for is not in it in clear
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(file).includes(Buffer.from('DUPONT'))).toBe(false);
  });

  it('voids an open exam: kept, no capture, decision or close after, not in the picker, growth or open exam types', () => {
    const e = store.createExam({ patient: { name: 'WRONG^PATIENT', id: 'VOID-1' }, datingGaWeeks: 20 });
    const cap = hcCapture(store, e.id, 1, 170);
    const v = store.voidExam(e.id, 'dr-a', 'Started for the wrong patient');
    expect(v).toMatchObject({ voidedBy: 'dr-a', voidReason: 'Started for the wrong patient', closedAt: null });
    expect(store.getExam(e.id).captures).toHaveLength(1); // never deleted
    expect(() => hcCapture(store, e.id, 2, 171)).toThrow(expect.objectContaining({ code: 'SONO_EXAM_VOIDED' }));
    expect(() => store.decide(cap.measurements[0]!.id, { decision: 'confirmed', by: 'dr-a' })).toThrow(expect.objectContaining({ code: 'SONO_EXAM_VOIDED' }));
    expect(() => store.closeExam(e.id, 'dr-a')).toThrow(expect.objectContaining({ code: 'SONO_EXAM_VOIDED' }));
    expect(() => store.voidExam(e.id, 'dr-a', 'again')).toThrow(expect.objectContaining({ code: 'SONO_EXAM_VOIDED' }));
    expect(patients.search('VOID-1')).toEqual([]);
    const closed = store.createExam({ patient: { id: 'VOID-2' } });
    store.closeExam(closed.id, 'dr-a');
    expect(() => store.voidExam(closed.id, 'dr-a', 'too late')).toThrow(expect.objectContaining({ code: 'SONO_EXAM_CLOSED' }));
  });

  it("a visit's value is the decided HC (the confirmed capture), not the last capture; undecided visits say so", () => {
    const first = store.createExam({ patient: { name: 'GROW^ONE', id: 'GROW-1' }, datingGaWeeks: 20 });
    const a = hcCapture(store, first.id, 1, 172);
    hcCapture(store, first.id, 2, 199); // captured after the confirmed one, never confirmed
    store.decide(a.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'confirmed', by: 'dr-a' });
    const second = store.createExam({ patient: { name: 'GROW^ONE', id: 'GROW-1' }, datingGaWeeks: 24 });
    const b = hcCapture(store, second.id, 1, 220);
    store.decide(b.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'corrected', value: 224.5, by: 'dr-b' });
    const third = store.createExam({ patient: { name: 'GROW^ONE', id: 'GROW-1' }, datingGaWeeks: 26 });
    hcCapture(store, third.id, 1, 240);
    const visits = patients.hcVisits('GROW-1');
    expect(visits.map((v) => [v.gaWeeks, v.hcMm, v.state, v.decidedBy])).toEqual([
      [20, 172, 'confirmed', 'dr-a'],
      [24, 224.5, 'corrected', 'dr-b'],
      [26, null, 'unverified', null],
    ]);
    expect(visits[0]!.captureId).toBe(a.id);
    expect(visits[2]!.aiHcMm).toBe(240);
  });

  it("the exam's growth (and its report) and the patient's chart take the same HC: the one decided last, whichever capture it is on", () => {
    const exam = store.createExam({ patient: { name: 'GROW^TWO', id: 'GROW-2' }, datingGaWeeks: 20 });
    const a = hcCapture(store, exam.id, 1, 172);
    const b = hcCapture(store, exam.id, 2, 199);
    const hcOf = (c: typeof a) => c.measurements.find((m) => m.kind === 'hc')!.id;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-06-01T10:00:00.000Z'));
      store.decide(hcOf(b), { decision: 'confirmed', by: 'dr-a' });
      vi.setSystemTime(new Date('2026-06-01T10:05:00.000Z'));
      store.decide(hcOf(a), { decision: 'confirmed', by: 'dr-a' }); // the earlier capture, decided last
    } finally {
      vi.useRealTimers();
    }
    expect(patients.hcVisits('GROW-2').map((v) => [v.hcMm, v.captureId])).toEqual([[172, a.id]]);
    expect(store.hcVisits(exam.id).map((v) => v.hcMm)).toEqual([172]);
  });
});
