/**
 * The second-reader flow through the real app: after a signature, another clinician agrees with one
 * measurement and disagrees with another (flagged); no signer and not the first reader may second-read, a third clinician cannot
 * adjudicate; the signer adjudicates; all three values are kept (GET /api/exams/:id/second-reads) and exported
 * in an amended SR revision that names the signed one. A disk that fills while the amended report is queued
 * keeps neither the adjudication nor the revision (507), and the same request then goes through once. Which
 * second reading an adjudication answers is told by ids, never by the clock.
 */
import { describe, expect, it, vi } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { Outbox } from '../../src/sync/outbox.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeReportService } from '../../src/sync/sr-revision-service.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { makeDecidedExam } from './fixture.js';

type Ds = Record<string, unknown>;

describe('second reader', async () => {
  const t = await buildTestApp();
  const outbox = new Outbox(t.db);
  const store = new ExamStore(t.db);
  const reports = makeReportService({
    exportOptions: { secret: 's2', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' },
    targets: ['pacs'],
    outbox,
    geometryOf: (id) => store.capturePixels(id),
    poke: () => {},
    organization: 'Maternity unit',
  });
  // fillDiskOnNextReport: the database can grow no further from the moment the next report revision is queued (a real SQLITE_FULL)
  let fillDiskOnNextReport = false;
  t.runtime.reports = {
    organization: reports.organization,
    revise: (exam, revision) => {
      if (fillDiskOnNextReport) t.db.pragma(`max_page_count = ${t.db.pragma('page_count', { simple: true }) as number}`);
      fillDiskOnNextReport = false;
      return reports.revise(exam, revision);
    },
  };
  const srCount = (examId: string): number => (t.db.prepare('SELECT count(*) n FROM outbox WHERE exam_id = ? AND sop_class_uid = ?').get(examId, COMPREHENSIVE_SR) as { n: number }).n;
  const ada = await addTokenUser(t.runtime.access.services, 'clinician', 'Ada Byron');
  const bob = await addTokenUser(t.runtime.access.services, 'clinician', 'Bob Lister');
  const carl = await addTokenUser(t.runtime.access.services, 'clinician', 'Carl Third');
  const post = (url: string, headers: { authorization: string }, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: payload as Record<string, unknown> });

  it('agree, disagree (flagged), refusals, adjudication; three values kept and exported', async () => {
    const { exam } = makeDecidedExam(t.db);
    const ms = exam.captures[0]!.measurements;
    const hc = ms.find((m) => m.kind === 'hc')!;
    const bpd = ms.find((m) => m.kind === 'bpd')!;
    // before any signature there is nothing to second-read
    expect((await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: true })).json()).toMatchObject({ code: 'SONO_SECOND_READ_REFUSED' });
    const signed = (await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).json() as { srUid: string };
    const bySigner = await post(`/api/measurements/${hc.id}/second-read`, ada.headers, { agree: true });
    expect(bySigner.statusCode).toBe(409);
    expect(bySigner.json()).toMatchObject({ code: 'SONO_SECOND_READ_REFUSED' });
    expect((await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: false })).json()).toMatchObject({ code: 'SONO_SECOND_READ_INVALID' });

    expect((await post(`/api/measurements/${bpd.id}/second-read`, bob.headers, { agree: true })).json()).toMatchObject({ flagged: false, second: { agree: true, by: 'Bob Lister' } });
    const dis = (await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: false, value: 181, note: 'caliper on the outer edge' })).json();
    expect(dis).toMatchObject({ flagged: true, first: { value: 178.4, by: 'Dr Alice Martin' }, second: { agree: false, value: 181, by: 'Bob Lister' }, adjudicated: null });
    expect((await post(`/api/measurements/${bpd.id}/adjudicate`, ada.headers, { value: 48 })).json()).toMatchObject({ code: 'SONO_ADJUDICATION_REFUSED' });
    const third = await post(`/api/measurements/${hc.id}/adjudicate`, carl.headers, { value: 180 });
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ code: 'SONO_ADJUDICATION_REFUSED' });

    const adj = await post(`/api/measurements/${hc.id}/adjudicate`, ada.headers, { value: 180, note: 'agreed on review' });
    expect(adj.statusCode).toBe(200);
    expect(adj.json()).toMatchObject({ flagged: false, adjudicated: { value: 180, by: 'Ada Byron', note: 'agreed on review' } });
    const list = (await t.app.inject({ url: `/api/exams/${exam.id}/second-reads`, headers: ada.headers })).json() as Array<{
      measurementId: string;
      first: { value: number };
      second: { value: number | null };
      adjudicated: { value: number } | null;
    }>;
    const row = list.find((r) => r.measurementId === hc.id)!;
    expect([row.first.value, row.second.value, row.adjudicated!.value]).toEqual([178.4, 181, 180]);

    // exported: an amended revision (2, after the signature 1) naming the signed report
    const srs = (t.db.prepare('SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = ? ORDER BY id').all(exam.id, COMPREHENSIVE_SR) as Array<{ payload: Buffer }>).map((r) =>
      readPart10(r.payload),
    );
    expect(srs).toHaveLength(4); // signature: TID 1500 + 5000; amendment: the same two
    const amended = srs[2]!;
    expect(amended.VerificationFlag).toBe('UNVERIFIED'); // changed after signing: to be signed again
    const pred = (((amended.PredecessorDocumentsSequence as Ds[])[0]!.ReferencedSeriesSequence as Ds[])[0]!.ReferencedSOPSequence as Ds[])[0]!;
    expect(pred.ReferencedSOPInstanceUID).toBe(signed.srUid);
    const text = JSON.stringify(amended.ContentSequence);
    expect(text).toContain('Second reading of hc: first reader 178.40 mm, second reader 181.00 mm, adjudicated 180.00 mm.');
    for (const name of ['Bob', 'Lister', 'Ada Byron']) expect(text).not.toContain(name);
    const revs = (await t.app.inject({ url: `/api/exams/${exam.id}/signatures`, headers: ada.headers })).json() as Array<{ revision: number; kind: string }>;
    expect(revs.map((r) => [r.revision, r.kind])).toEqual([
      [1, 'signature'],
      [2, 'amendment'],
    ]);
    expect(
      t.runtime.access.services.audit
        .list({ action: 'measurement.adjudicate' })
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['failed', 'failed', 'ok']);
  });

  it('a full disk while the amended report is queued keeps neither the adjudication nor the revision; the retry sends one amendment', async () => {
    const { exam } = makeDecidedExam(t.db);
    const hc = exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    expect((await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: false, value: 181 })).json()).toMatchObject({ flagged: true });
    const signedSrs = srCount(exam.id);
    const readings = async () => (await t.app.inject({ url: `/api/exams/${exam.id}/second-reads`, headers: ada.headers })).json() as Array<{ flagged: boolean; adjudicated: unknown }>;
    const revisions = async () =>
      ((await t.app.inject({ url: `/api/exams/${exam.id}/signatures`, headers: ada.headers })).json() as Array<{ revision: number; kind: string }>).map((r) => [r.revision, r.kind]);

    fillDiskOnNextReport = true;
    const full = await post(`/api/measurements/${hc.id}/adjudicate`, ada.headers, { value: 180 });
    t.db.pragma('max_page_count = 1073741823');
    expect(fillDiskOnNextReport).toBe(false); // the failure came while the amended report was queued, after the adjudication was written
    expect(full.statusCode).toBe(507);
    expect(full.json()).toMatchObject({ code: 'SONO_DISK_LOW', details: { sqlite: 'SQLITE_FULL' } });
    expect(full.json().message).toContain('this change was not saved, and nothing saved before was lost');
    // as the answer says: nothing of it was kept, the disagreement is still open
    expect(await readings()).toMatchObject([{ flagged: true, adjudicated: null }]);
    expect(t.db.prepare('SELECT count(*) n FROM adjudications WHERE measurement_id = ?').get(hc.id)).toEqual({ n: 0 });
    expect(await revisions()).toEqual([[1, 'signature']]);
    expect(srCount(exam.id)).toBe(signedSrs);

    const retry = await post(`/api/measurements/${hc.id}/adjudicate`, ada.headers, { value: 180 });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ flagged: false, adjudicated: { value: 180, by: 'Ada Byron' } });
    expect(await revisions()).toEqual([
      [1, 'signature'],
      [2, 'amendment'],
    ]);
    expect(srCount(exam.id)).toBe(signedSrs + 2); // one amendment: TID 1500 + 5000
    expect(t.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('the second reader is independent: neither the first reader of the value nor anyone who signed any revision', async () => {
    // Bob made the first readings and Ada signed; then Carl signed again: Ada (an earlier signer) and Bob (first reader) are refused, Dee reads
    const { exam } = makeDecidedExam(t.db, { by: 'Bob Lister' });
    const hc = exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    expect((await post(`/api/exams/${exam.id}/sign`, carl.headers, {})).statusCode).toBe(200);
    const dee = await addTokenUser(t.runtime.access.services, 'clinician', 'Dee Fourth');
    for (const [who, said] of [
      [ada, 'signed this report'],
      [carl, 'signed this report'],
      [bob, 'made the first reading of hc'],
    ] as const) {
      const r = await post(`/api/measurements/${hc.id}/second-read`, who.headers, { agree: false, value: 250 });
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'SONO_SECOND_READ_REFUSED' });
      expect(r.json().message).toContain(said);
    }
    expect(t.db.prepare('SELECT count(*) n FROM second_reads WHERE measurement_id = ?').get(hc.id)).toEqual({ n: 0 });
    expect((await post(`/api/measurements/${hc.id}/second-read`, dee.headers, { agree: true })).json()).toMatchObject({ flagged: false, second: { agree: true, by: 'Dee Fourth' } });
  });

  it('a disagreement after an adjudication flags again, in the same millisecond or after the clock stepped back', async () => {
    const { exam } = makeDecidedExam(t.db);
    const [hc, bpd] = (['hc', 'bpd'] as const).map((k) => exam.captures[0]!.measurements.find((m) => m.kind === k)!);
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [m, step] of [
        [hc!, 0],
        [bpd!, -3_600_000],
      ] as const) {
        const at = new Date('2026-06-01T10:00:00.000Z');
        vi.setSystemTime(at);
        expect((await post(`/api/measurements/${m.id}/second-read`, bob.headers, { agree: false, value: 181 })).json()).toMatchObject({ flagged: true });
        expect((await post(`/api/measurements/${m.id}/adjudicate`, ada.headers, { value: 180 })).json()).toMatchObject({ flagged: false });
        vi.setSystemTime(at.getTime() + step); // the same millisecond (hc), an hour back (bpd)
        const again = (await post(`/api/measurements/${m.id}/second-read`, bob.headers, { agree: false, value: 182 })).json();
        expect(again).toMatchObject({ flagged: true, second: { value: 182 }, adjudicated: null });
        expect((await post(`/api/measurements/${m.id}/adjudicate`, ada.headers, { value: 181 })).json()).toMatchObject({ flagged: false, adjudicated: { value: 181 } });
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
