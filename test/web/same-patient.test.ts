/**
 * One patient ID, one woman, on the touchscreen (session-13 records review, finding 4): Start with an ID kept
 * for a patient with another birth date shows who the ID belongs to and asks; "Check the ID" stores nothing and
 * puts the cursor in the ID field; "Same patient: start" starts the exam confirming it. Real Chromium, real
 * daemon (simulated probe), touch at 820×1180.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { VIEWPORTS, clinicianPage } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';

type ExamJson = { id: string; patient: { name?: string; id?: string; birthDate?: string } | null };

describe.skipIf(!existsSync(CHROMIUM))('Start on a patient ID kept for someone else', () => {
  const rig = liveRig(() => ({ drivers: { simulated: { fps: 10 } } }));
  const examsOf = async (id: string): Promise<ExamJson[]> => ((await (await fetch(`${rig.d.url}/api/exams`)).json()) as ExamJson[]).filter((e) => e.patient?.id === id);
  const fill = async (page: Page, family: string, given: string, birth: string): Promise<void> => {
    await page.fill('#p-name', family);
    await page.fill('#p-given', given);
    await page.fill('#p-id', 'P-SAME');
    await page.fill('#p-birth', birth);
    await page.fill('#p-ga', '22');
  };

  it('asks, shows who the ID is kept for, stores nothing until the clinician says it is the same patient', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, VIEWPORTS[1], errors);
    await page.waitForSelector('#p-given').catch((err: Error) => Promise.reject(new Error(`${err.message}; page errors: ${errors.join(' | ')}`)));
    await fill(page, 'Doe', 'Jane', '01/01/1995');
    await page.tap('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    await page.tap('#close-exam');
    await page.tap('#close-yes');
    await page.waitForFunction(() => !document.getElementById('exam-form')!.hidden);

    await fill(page, 'Smith', 'Ann', '05/05/2001');
    await page.tap('#start');
    await page.waitForSelector('#same-patient-ask:not([hidden])');
    await page.waitForFunction(() => document.getElementById('same-patient-kept')!.textContent!.includes('·'));
    expect(await page.textContent('#same-patient-kept')).toBe('Doe, Jane · P-SAME · 01/01/1995');
    expect(await page.textContent('#same-patient-text')).toBe('This patient ID is already kept for a patient with another family name or birth date:');
    expect(await page.isHidden('#exam-form')).toBe(false);
    expect(await examsOf('P-SAME')).toHaveLength(1);

    await page.tap('#same-patient-no');
    expect(await page.isHidden('#same-patient-ask')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('p-id');
    expect(await examsOf('P-SAME')).toHaveLength(1);

    // a correction typed while the question is shown withdraws it: Yes never starts with what was typed before
    await page.tap('#start');
    await page.waitForSelector('#same-patient-ask:not([hidden])');
    await page.fill('#p-given', 'Anne');
    expect(await page.isHidden('#same-patient-ask')).toBe(true);
    expect(await examsOf('P-SAME')).toHaveLength(1);
    await page.tap('#start');
    await page.waitForSelector('#same-patient-ask:not([hidden])');
    await page.tap('#same-patient-yes');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    const both = await examsOf('P-SAME');
    expect(both.map((e) => [e.patient?.name, e.patient?.birthDate]).sort()).toEqual([
      ['Doe^Jane', '19950101'],
      ['Smith^Anne', '20010505'],
    ]);
    // the three refused Starts are the browser's only complaints (its console logs each 409 answer)
    expect(errors.filter((e) => !e.includes('status of 409 (Conflict)'))).toEqual([]);
    expect(errors).toHaveLength(3);
    await context.close();
  }, 120_000);
});
