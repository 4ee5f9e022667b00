/**
 * The printed report's growth flag names the visits by the clinic's calendar day, as its exam date does: an
 * earlier scan at 00:30 and this one at 01:15 in a UTC+3 clinic (Asia/Riyadh) are stored at 21:30 and 22:15
 * UTC the day before. Real encrypted SQLite, the PDF read back by poppler; UTC is the control.
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

describe.skipIf(!popplerAvailable)('report growth flag dates', () => {
  it('are the clinic days of the two visits, not the UTC ones', async () => {
    const dir = tempDir('report-visit-date-');
    const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
    // an earlier visit at 16 weeks on the 90th centile: the fixture's 178.4 mm at 21 weeks is a fall the report flags
    const { store, exam } = makeClosedExam(db);
    const earlier = addEarlierVisit(store);
    store.decide(earlier.hcId, { decision: 'confirmed', by: 'Dr Alice Martin' });
    const at = db.prepare('UPDATE exams SET created_at = ? WHERE id = ?');
    at.run('2026-05-09T21:30:00.000Z', earlier.examId); // 10 May 00:30 in Riyadh
    at.run('2026-06-20T22:15:00.000Z', exam.id); // 21 June 01:15 in Riyadh
    const text = async (timeZone: string): Promise<string> => {
      const file = join(dir, `${timeZone.replace('/', '-')}.pdf`);
      writeFileSync(file, await buildExamReport(store, exam.id, { lang: 'en', timeZone, printedAt: '2026-06-21T08:00:00.000Z' }));
      return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    };
    expect(await text('Asia/Riyadh')).toMatch(/Head growth slowed: the HC z-score fell by 2\.1 between 2026-05-10 and 2026-06-21/);
    expect(await text('UTC')).toMatch(/Head growth slowed: the HC z-score fell by 2\.1 between 2026-05-09 and 2026-06-20/);
  });
});
