/**
 * The printed report's growth lines come only from head measurements a clinician reviewed, as the growth chart
 * plots only those (session-15 review: an earlier visit whose HC nobody confirmed still drove "Head growth
 * slowed … Consider referral", and a report whose HC was AI only printed its centile without a qualifier).
 * Real encrypted SQLite, the PDF read back by poppler, and GET /api/exams/:id/growth's rule (ExamStore.hcVisits).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/records/database.js';
import { buildExamReport } from '../../src/report/build-report.js';
import { addEarlierVisit, makeClosedExam } from '../helpers/exam-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const popplerAvailable = existsSync('/usr/bin/pdftotext');

describe.skipIf(!popplerAvailable)('report growth lines', () => {
  it('leave out a visit whose HC nobody reviewed, and print the centile only from a reviewed HC', async () => {
    const dir = tempDir('report-growth-reviewed-');
    const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
    const { store, exam } = makeClosedExam(db); // its HC corrected to 178.4 mm at 21 weeks: a fall from the 90th centile
    const earlier = addEarlierVisit(store);
    const at = db.prepare('UPDATE exams SET created_at = ? WHERE id = ?');
    at.run('2026-05-10T09:00:00.000Z', earlier.examId);
    at.run('2026-06-21T09:00:00.000Z', exam.id);
    const text = async (name: string): Promise<string> => {
      const file = join(dir, `${name}.pdf`);
      writeFileSync(file, await buildExamReport(store, exam.id, { lang: 'en', timeZone: 'UTC', printedAt: '2026-06-21T10:00:00.000Z' }));
      return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    };

    // the earlier HC is the AI's only: no growth flag from it, in the PDF or the exam's growth visits
    expect(store.hcVisits(exam.id).map((v) => v.examId)).toEqual([exam.id]);
    const unreviewed = await text('unreviewed');
    expect(unreviewed).not.toMatch(/Head growth slowed/);
    expect(unreviewed).toMatch(/HC centile/); // this exam's own HC was corrected by a clinician

    // once a clinician confirms it, the fall is reported
    store.decide(earlier.hcId, { decision: 'confirmed', by: 'Dr Alice Martin' });
    expect(store.hcVisits(exam.id).map((v) => v.examId)).toEqual([earlier.examId, exam.id]);
    expect(await text('reviewed')).toMatch(/Head growth slowed: the HC z-score fell by 2\.1 between 2026-05-10 and 2026-06-21/);
  });

  it('print no centile for an exam whose own HC is the AI only', async () => {
    const dir = tempDir('report-growth-ai-only-');
    const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
    const { store } = makeClosedExam(db);
    const earlier = addEarlierVisit(store); // an exam with one AI-only HC
    store.closeExam(earlier.examId, 'Dr Alice Martin');
    const file = join(dir, 'ai-only.pdf');
    writeFileSync(file, await buildExamReport(store, earlier.examId, { lang: 'en', timeZone: 'UTC', printedAt: '2026-06-21T10:00:00.000Z' }));
    const printed = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(printed).toMatch(/UNVERIFIED/);
    expect(printed).not.toMatch(/HC centile/);
  });
});
