/**
 * Issue 18, the exam record view, in a real Chromium against a real daemon (simulated probe): an open exam
 * resumes after a page reload; the exam list narrows by patient ID and opens any exam's record (type,
 * patient, status, operator, captures with AI and final values, decisions, sync state); an open exam is
 * voided with a reason (kept, never synced, the live form freed), another resumed from its record, a
 * closed one links its printable PDF. At 1280×800, and the record's layout at 820×1180.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, PORTRAIT, clinicianPage, notSeen } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';
import { apiCapture, apiClose, apiCorrectHc, apiExam } from './record-helpers.js';

type ExamJson = { id: string; closedAt: string | null; voidedAt: string | null; voidReason: string | null; sync: string; captures: unknown[] };

async function openRecordOf(page: Page, examId: string): Promise<void> {
  await page.tap('#tabs .tab[data-view="exams"]');
  await page.fill('#exam-search', ''); // the list keeps the last search
  await page.waitForSelector(`#exam-rows tr[data-exam-id="${examId}"]`);
  await page.tap(`#exam-rows tr[data-exam-id="${examId}"]`);
  await page.waitForFunction((id) => { const r = document.getElementById('exam-record'); return r && !r.hidden && r.dataset.examId === id; }, examId);
}

describe.skipIf(!existsSync(CHROMIUM))('exam record in Chromium', () => {
  const rig = liveRig(() => ({ drivers: { simulated: { fps: 10 } } }));
  const exam = async (id: string): Promise<ExamJson> => (await (await fetch(`${rig.d.url}/api/exams/${id}`)).json()) as ExamJson;

  it('resumes after a reload, opens the record, voids with a reason, resumes another, links the PDF of a closed one', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await page.waitForSelector('#p-given');
    await page.fill('#p-name', 'Record');
    await page.fill('#p-given', 'Rita');
    await page.fill('#p-id', 'REC-1');
    await page.fill('#p-ga', '24');
    await page.tap('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    const id = (await (await fetch(`${rig.d.url}/api/exams?patientId=REC-1`)).json() as Array<{ id: string }>)[0]!.id;
    const capture = await apiCapture(rig.d, id);
    // first the ellipse moved without resizing (HC corrected to the AI's own value, as the live review records it), then resized
    await apiCorrectHc(rig.d, capture, capture.measurements.find((m) => m.kind === 'hc')!.aiValue!, { cx: 40, cy: 30, semiMajor: 20, semiMinor: 15, angleDeg: 5 });
    await apiCorrectHc(rig.d, capture, 181.5);

    // a reload loses the page's state; the exam is still open on the daemon and comes back
    await page.reload();
    await page.waitForFunction(() => document.getElementById('exam-summary')?.textContent?.includes('Record^Rita'), undefined, { timeout: 20000 });
    expect(await page.isVisible('#close-exam')).toBe(true);
    expect(await page.isHidden('#exam-form')).toBe(true);

    // the list narrows by patient ID as typed
    await apiExam(rig.d, { patient: { name: 'OTHER^ONE', id: 'ZZ-9' } });
    await page.tap('#tabs .tab[data-view="exams"]');
    await page.waitForSelector(`#exam-rows tr[data-exam-id="${id}"]`);
    expect(await page.locator('#exam-rows tr').count()).toBe(2);
    await page.fill('#exam-search', 'rec');
    expect(await page.locator('#exam-rows tr').count()).toBe(1);
    expect(await page.textContent('#exam-rows tr')).toContain('Record, Rita · REC-1');

    await page.tap(`#exam-rows tr[data-exam-id="${id}"]`);
    await page.waitForSelector('#record-title');
    expect(await page.textContent('#record-title')).toBe('Obstetric · Record, Rita · REC-1');
    expect(await page.textContent('#record-facts .fact-status')).toBe('open');
    expect(await page.textContent('#record-facts .fact-operator')).toBe('clinician');
    expect(await page.textContent('#record-facts .fact-dating')).toBe('24w 0d');
    expect(await page.textContent('#record-facts .fact-sync')).toBe('not sent');
    const hcRow = page.locator(`table[data-capture-id="${capture.id}"] tr[data-kind="hc"] td`);
    const aiHc = capture.measurements.find((m) => m.kind === 'hc')!.aiValue!;
    expect(await hcRow.allTextContents()).toEqual(['hc', `${aiHc.toFixed(1)} mm`, '181.5 mm', 'corrected', 'admin']);
    // the correction to the AI's own value says what it was: the outline moved, the value unchanged
    expect(await page.locator('#record-decisions li').allTextContents()).toEqual([
      expect.stringMatching(new RegExp(` · admin · hc corrected ${aiHc.toFixed(1).replace('.', '\\.')} \\(outline moved, value unchanged\\)$`)),
      expect.stringMatching(/ · admin · hc corrected 181\.5$/),
    ]);

    // void: a reason is asked, then the exam is kept, marked voided, never sent; the live form is free again
    await page.tap('#record-void');
    await page.fill('#record-void-reason', 'x');
    await page.tap('#record-void-yes');
    expect(await page.textContent('#record-message')).toBe('Say why in a few words (at least 3 letters)');
    await page.fill('#record-void-reason', 'Started for the wrong patient');
    await page.tap('#record-void-yes');
    await page.waitForFunction(() => document.getElementById('exam-record')?.dataset.status === 'voided');
    expect(await page.textContent('#record-facts .fact-voidedBy')).toMatch(/^clinician · .* · Started for the wrong patient$/);
    expect(await page.$('#record-resume')).toBeNull();
    const voided = await exam(id);
    expect(voided).toMatchObject({ voidReason: 'Started for the wrong patient', closedAt: null, sync: 'none' });
    expect(voided.captures).toHaveLength(1);
    await page.tap('#tabs .tab[data-view="live"]');
    expect(await page.isVisible('#exam-form')).toBe(true);

    // another open exam is resumed from its record into the live view
    const other = await apiExam(rig.d, { patient: { name: 'OPEN^THREE', id: 'OPEN-3' }, datingGaWeeks: 30 });
    await openRecordOf(page, other);
    await page.tap('#record-resume');
    await page.waitForFunction(() => document.getElementById('exam-summary')?.textContent?.includes('OPEN^THREE'));
    expect(await page.isVisible('#view-live')).toBe(true);

    // a closed exam: no void, a link to its printable report
    const closed = await apiExam(rig.d, { patient: { name: 'CLOSED^TWO', id: 'CLOSED-2' } });
    await apiClose(rig.d, closed);
    await openRecordOf(page, closed);
    expect(await page.$('#record-void')).toBeNull();
    const href = await page.getAttribute('#record-report', 'href');
    expect(href).toBe(`/api/exams/${closed}/report.pdf`);
    const pdf = await context.request.get(rig.d.url + href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('the record fits a portrait screen (nothing wider than the page, Back in view) and speaks French', async () => {
    const { context, page } = await clinicianPage(rig.browser, rig.d, PORTRAIT);
    const id = (await (await fetch(`${rig.d.url}/api/exams?patientId=REC-1`)).json() as Array<{ id: string }>)[0]!.id;
    await openRecordOf(page, id);
    expect(await notSeen(page, '#record-back')).toBe('');
    const wide = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
    expect(wide[0]).toBeLessThanOrEqual(wide[1]!);
    await page.tap('#record-back');
    await page.waitForFunction(() => document.getElementById('exam-record')!.hidden && !document.querySelector<HTMLElement>('#view-exams table')!.hidden);
    // in French: the list and the record say status, type and sync state in French
    await page.selectOption('#lang', 'fr');
    await openRecordOf(page, id);
    expect(await page.textContent('#record-title')).toBe('Obstétrique · Record, Rita · REC-1');
    expect(await page.textContent('#record-facts .fact-status')).toBe('annulé');
    expect(await page.textContent('#record-facts .fact-sync')).toBe('non envoyé');
    expect(await page.textContent('#record-facts .fact-dating')).toBe('24 SA 0 j');
    await context.close();
  }, 60_000);
});
