/**
 * Issue 18, patients and exams, in a real Chromium against a real daemon (simulated probe) and a real DICOM
 * worklist server (dcmtk's wlmscpfs), at 1280×800 and 820×1180 with touch: labelled patient fields checked
 * as typed ("22,5" is 22.5 weeks, never 225; no 30 February; no future birth date), refused values said under
 * their field and no exam started, the earlier-patient picker and the worklist picker fill the form, Close
 * asks first and clears the form for the next patient.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { localDate } from '../../src/worklist/identifier.js';
import { tempDir } from '../helpers/tmp.js';
import { WorklistScp, wlmscpfsAvailable } from '../worklist/wlmscpfs.js';
import { CHROMIUM } from './breast-replay.js';
import { VIEWPORTS, clinicianPage, notSeen } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';

type ExamJson = { id: string; closedAt: string | null; patient: { name?: string; id?: string; birthDate?: string; sex?: string } | null; datingGaWeeks: number | null; accessionNumber?: string | null };
const errorOf = (page: Page, id: string): Promise<string> => page.textContent(`#${id}-error`).then((t) => t ?? '');

describe.skipIf(!existsSync(CHROMIUM) || !wlmscpfsAvailable)('patient form, pickers and close in Chromium', () => {
  let scp: WorklistScp;
  const rig = liveRig(async () => {
    scp = await WorklistScp.start(tempDir('sonoedge-wl-'), 'RIS_WL', [{ name: 'LEFEVRE^Camille', id: 'WL-4242', birthDate: '19880511', sex: 'F', accession: 'ACC-77', date: localDate(), time: '101500', modality: 'US', stepDescription: 'Growth scan' }]);
    return { drivers: { simulated: { fps: 10 } }, worklist: { host: '127.0.0.1', port: scp.port, calledAeTitle: 'RIS_WL', callingAeTitle: 'SONOEDGE' } };
  });
  afterAll(() => scp?.stop());
  const exams = async (): Promise<ExamJson[]> => (await (await fetch(`${rig.d.url}/api/exams`)).json()) as ExamJson[];
  const exam = async (id: string): Promise<ExamJson> => (await (await fetch(`${rig.d.url}/api/exams/${id}`)).json()) as ExamJson;

  for (const viewport of VIEWPORTS) {
    it(`labelled fields checked as typed, refused values stop Start, Close asks and clears, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors);
      await page.waitForSelector('#p-given').catch((err: Error) => Promise.reject(new Error(`${err.message}; page errors: ${errors.join(' | ')}`)));
      // every field has a visible label naming it (a placeholder alone disappears as one types)
      for (const [label, id] of [['Family name', 'p-name'], ['Given names', 'p-given'], ['Patient ID', 'p-id'], ['Birth date', 'p-birth'], ['Sex', 'p-sex'], ['Dating by', 'p-dating'], ['GA (weeks)', 'p-ga']] as const) {
        expect(await page.getByLabel(label, { exact: true }).getAttribute('id'), label).toBe(id);
        // inside the exam column's width (it scrolls down, never sideways)
        const fits = await page.evaluate((i) => {
          const r = document.getElementById(i)!.getBoundingClientRect();
          const col = document.getElementById('exam')!.getBoundingClientRect();
          return r.width > 0 && r.left >= col.left - 0.5 && r.right <= col.right + 0.5 && r.right <= innerWidth;
        }, id);
        expect(fits, label).toBe(true);
      }
      // Start is seen without scrolling, in either orientation
      expect(await notSeen(page, '#start')).toBe('');
      const before = (await exams()).length;

      await page.fill('#p-ga', '22,5');
      expect(await errorOf(page, 'p-ga')).toBe('');
      await page.fill('#p-ga', '225');
      expect(await errorOf(page, 'p-ga')).toBe('Outside 4 to 44 weeks');
      await page.fill('#p-ga', '22,5,1');
      expect(await errorOf(page, 'p-ga')).toMatch(/^Not a number/);
      await page.fill('#p-birth', '30/02/1990');
      expect(await errorOf(page, 'p-birth')).toBe('No such date: type DD/MM/YYYY');
      expect(await page.getAttribute('#p-birth', 'aria-invalid')).toBe('true');
      await page.fill('#p-birth', `01/01/${new Date().getFullYear() + 1}`);
      expect(await errorOf(page, 'p-birth')).toBe('This date is in the future');
      await page.tap('#start');
      expect(await page.textContent('#message')).toBe('Correct the fields marked in red first');
      expect((await exams()).length, 'no exam was started').toBe(before);
      // dating by LMP says the GA it gives today, as the daemon will work it out
      await page.selectOption('#p-dating', 'lmp');
      expect(await page.isHidden('#p-ga')).toBe(true);
      const lmp = new Date(Date.now() - 154 * 86_400_000);
      await page.fill('#p-dating-date', `${String(lmp.getDate()).padStart(2, '0')}/${String(lmp.getMonth() + 1).padStart(2, '0')}/${lmp.getFullYear()}`);
      expect(await page.textContent('#p-ga-today')).toBe('GA today 22.0 weeks');
      await page.selectOption('#p-dating', 'ga');

      const pid = `IPP-${viewport.width}`;
      await page.fill('#p-name', 'Martin');
      await page.fill('#p-given', 'Anne Sophie');
      await page.fill('#p-id', pid);
      await page.fill('#p-birth', '14/02/1990');
      await page.selectOption('#p-sex', 'F');
      await page.fill('#p-ga', '22,5');
      expect(await errorOf(page, 'p-birth')).toBe('');
      await page.tap('#start');
      await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
      const started = (await exams()).find((e) => e.patient?.id === pid)!;
      expect(started).toMatchObject({ patient: { name: 'Martin^Anne Sophie', id: pid, birthDate: '19900214', sex: 'F' }, datingGaWeeks: 22.5 });

      // Close asks first; Cancel keeps the exam open
      await page.tap('#close-exam');
      expect(await page.isVisible('#close-ask')).toBe(true);
      await page.tap('#close-cancel');
      expect(await page.isVisible('#close-exam')).toBe(true);
      expect((await exam(started.id)).closedAt).toBeNull();
      await page.tap('#close-exam');
      await page.tap('#close-yes');
      await page.waitForFunction(() => !document.getElementById('exam-form')!.hidden);
      expect((await exam(started.id)).closedAt).not.toBeNull();
      expect(await page.textContent('#message')).toBe('Exam closed: the form is ready for the next patient');
      for (const id of ['p-name', 'p-given', 'p-id', 'p-birth', 'p-ga']) expect(await page.inputValue(`#${id}`), id).toBe('');
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  }

  it('the earlier-patient picker and the worklist fill the form; the worklist exam keeps its accession number', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, VIEWPORTS[1], errors);
    await page.waitForSelector('#p-pickers').catch((err: Error) => Promise.reject(new Error(`${err.message}; page errors: ${errors.join(' | ')}`)));
    await page.tap('#p-pickers summary');
    await page.fill('#p-search', 'martin anne');
    await page.waitForSelector('#p-picker-list button[data-pick="IPP-820"]');
    await page.tap('#p-picker-list button[data-pick="IPP-820"]');
    expect([await page.inputValue('#p-name'), await page.inputValue('#p-given'), await page.inputValue('#p-id'), await page.inputValue('#p-birth'), await page.inputValue('#p-sex')]).toEqual(['Martin', 'Anne Sophie', 'IPP-820', '14/02/1990', 'F']);

    await page.tap('#p-pickers summary');
    await page.tap('#p-worklist');
    await page.waitForSelector('#p-picker-list button[data-pick="ACC-77"]');
    expect(await page.textContent('#p-picker-list')).toContain('10:15 · LEFEVRE, Camille · WL-4242');
    await page.tap('#p-picker-list button[data-pick="ACC-77"]');
    expect([await page.inputValue('#p-name'), await page.inputValue('#p-given'), await page.inputValue('#p-id'), await page.inputValue('#p-birth')]).toEqual(['LEFEVRE', 'Camille', 'WL-4242', '11/05/1988']);
    await page.fill('#p-ga', '30+2');
    await page.tap('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    const wl = (await exams()).find((e) => e.patient?.id === 'WL-4242')!;
    expect(wl).toMatchObject({ accessionNumber: 'ACC-77', patient: { name: 'LEFEVRE^Camille', birthDate: '19880511', sex: 'F' } });
    expect(wl.datingGaWeeks).toBeCloseTo(30 + 2 / 7, 2);
    await page.tap('#close-exam');
    await page.tap('#close-yes');
    await page.waitForFunction(() => !document.getElementById('exam-form')!.hidden);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
