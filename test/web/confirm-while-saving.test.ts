/**
 * Confirm while its save is in flight (a slow clinic Wi-Fi; here the decisions are held by the test until it
 * lets them go, no sleeps). Scrubbing away and back rebuilt the AI proposal with Confirm ON (the frame was
 * marked saved only after every await), and a second tap confirmed the AI's values over the clinician's
 * correction (the reviewer's repro: HC corrected 192.34, then confirmed 176.68). Now the frame is marked
 * "saving" before the first await: Confirm stays off on it, and the correction is what is stored, once. A
 * save that ends while another frame is shown leaves that frame's state line alone (it said "saved"). A
 * decision stored whose answer was lost is not stored again by the next tap: the page sends each decision
 * with an Idempotency-Key and the state it showed (`expect`), and the daemon answers the stored one.
 * Chromium, real daemon, simulated probe.
 */
import { existsSync } from 'node:fs';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, reviewBestFrame, scrubTo, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';
import { correctHead, holdDecisions } from './held-saves.js';

type ExamView = { id: string; captures: Array<{ measurements: Array<{ kind: string; state: string; aiValue: number; finalValue: number | null }> }> };

const otherIndex = async (page: Page): Promise<{ shown: number; other: number }> => {
  const shown = Number(await page.inputValue('#scrub'));
  return { shown, other: shown > 0 ? shown - 1 : shown + 1 };
};

describe.skipIf(!existsSync(CHROMIUM))('Confirm while its save is in flight', () => {
  const rig = liveRig(() => SIMULATED);

  it('scrubbing away and back keeps Confirm off: the correction is stored, once, and no AI confirmation over it', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await correctHead(context, page);
    const shownHc = Number((await page.textContent('#hc'))!.replace(/[^\d.]/g, ''));
    const { held, release } = await holdDecisions(page);
    await page.tap('#confirm');
    await held; // the capture is stored, its first decision waits
    const { shown, other } = await otherIndex(page);
    await scrubTo(page, other);
    await scrubTo(page, shown);
    expect(await page.isDisabled('#confirm')).toBe(true);
    await page.tap('#confirm', { force: true }); // a second tap: does nothing
    release();
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent === 'Corrected and saved', undefined, { timeout: 30000 });
    expect(await page.getAttribute('#state', 'data-i18n')).toBe('saved');
    const exams = (await (await context.request.get(`${rig.d.url}/api/exams`)).json()) as Array<{ id: string }>;
    const exam = (await (await context.request.get(`${rig.d.url}/api/exams/${exams[0]!.id}`)).json()) as ExamView;
    expect(exam.captures).toHaveLength(1);
    const hc = exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect(hc.state).toBe('corrected');
    expect(Math.abs(hc.finalValue! - shownHc)).toBeLessThanOrEqual(0.05 + 1e-9); // the screen shows one decimal: 191.55 may read 191.5
    const history = (await (await context.request.get(`${rig.d.url}/api/exams/${exams[0]!.id}/decisions`)).json()) as unknown[];
    expect(history).toHaveLength(exam.captures[0]!.measurements.length); // one decision each, no second Confirm
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('a save that ends while another frame is shown does not call that frame saved', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await correctHead(context, page);
    const { held, release } = await holdDecisions(page);
    await page.tap('#confirm');
    await held;
    const { shown, other } = await otherIndex(page);
    await scrubTo(page, other);
    expect(await page.getAttribute('#state', 'data-i18n')).not.toBe('saved');
    release();
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent === 'Corrected and saved', undefined, { timeout: 30000 });
    // the frame shown was never saved: its own line (an AI proposal, or no result on it), not saved
    expect(['unverified', 'noAiResultLine', 'nothingProposedLine']).toContain(await page.getAttribute('#state', 'data-i18n'));
    await scrubTo(page, shown); // the saved frame says so
    expect(await page.getAttribute('#state', 'data-i18n')).toBe('saved');
    expect(await page.isDisabled('#confirm')).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('a decision stored but its answer lost: the next tap is answered with it, each decision stored once', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, { consoleErrors: false });
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await correctHead(context, page);
    const sent: Array<{ key: string | undefined; expect: unknown }> = [];
    let lost = 0;
    await page.route('**/api/measurements/*/decision', async (route: Route) => {
      sent.push({ key: route.request().headers()['idempotency-key'], expect: (route.request().postDataJSON() as { expect?: unknown }).expect });
      if (lost > 0) return route.continue();
      lost++;
      await route.fetch(); // the daemon stores it; the answer never reaches the page
      await route.abort('connectionreset');
    });
    await page.tap('#confirm');
    await page.waitForFunction(() => !(document.getElementById('confirm') as HTMLButtonElement).disabled, undefined, { timeout: 30000 }); // failed: may be tried again
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent === 'Corrected and saved', undefined, { timeout: 30000 });
    const exams = (await (await context.request.get(`${rig.d.url}/api/exams`)).json()) as Array<{ id: string }>;
    const exam = (await (await context.request.get(`${rig.d.url}/api/exams/${exams[0]!.id}`)).json()) as ExamView;
    expect(exam.captures).toHaveLength(1);
    const history = (await (await context.request.get(`${rig.d.url}/api/exams/${exams[0]!.id}/decisions`)).json()) as unknown[];
    expect(history).toHaveLength(exam.captures[0]!.measurements.length); // the lost one was not stored twice
    expect(sent[0]!.key).toMatch(/^decision-/);
    expect(sent[1]!.key).toBe(sent[0]!.key); // the retry of the first decision sent its key again
    expect(sent[0]!.expect).toEqual({ state: 'unverified', decidedAt: null });
    await context.close();
  }, 120_000);
});
