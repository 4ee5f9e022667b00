/**
 * Confirm's save and what happens around it (review, session 12). Decisions are held by the test until it lets
 * them go (a slow clinic Wi-Fi), no sleeps: every wait is on a condition.
 * - An edit made while the save is in flight: Confirm stays off (a second tap sends nothing), and when the save
 *   ends the frame reads "edited" with Confirm on, never "saved" over a value that was not stored (the repro:
 *   screen 207.6 "saved", stored 191.55). Confirming again stores what the screen shows.
 * - A measurement decided on another device since (409 SONO_DECISION_STALE): final for that frame; Confirm
 *   stays off and the line says where to see or change the decision, instead of a Confirm that 409s forever.
 * - The exam read back failing after every decision is stored: the frame says saved, and that the summary was
 *   not refreshed.
 * Chromium, real daemon, simulated probe.
 */
import { existsSync } from 'node:fs';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, reviewBestFrame, scrubTo, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';
import { correctHead, holdDecisions } from './held-saves.js';
import { liveEn } from '../../web-ui/src/live/strings.js';

type ExamView = { id: string; captures: Array<{ measurements: Array<{ id: string; kind: string; state: string; finalValue: number | null }> }> };

const shownHc = async (page: Page): Promise<number> => Number((await page.textContent('#hc'))!.replace(/[^\d.]/g, ''));

/** Counts the page's capture and decision POSTs. */
function countSaves(page: Page): { captures: number; decisions: number } {
  const n = { captures: 0, decisions: 0 };
  page.on('request', (r) => {
    if (r.method() !== 'POST') return;
    if (/\/api\/exams\/[^/]+\/captures\/frame/.test(r.url())) n.captures++;
    if (/\/api\/measurements\/[^/]+\/decision$/.test(r.url())) n.decisions++;
  });
  return n;
}

async function storedExam(context: BrowserContext, url: string): Promise<ExamView> {
  const exams = (await (await context.request.get(`${url}/api/exams`)).json()) as Array<{ id: string }>;
  return (await (await context.request.get(`${url}/api/exams/${exams[0]!.id}`)).json()) as ExamView;
}

const actionIs = (page: Page, text: string): Promise<unknown> => page.waitForFunction((t) => document.getElementById('action-message')!.textContent === t, text, { timeout: 30000 });

describe.skipIf(!existsSync(CHROMIUM))('Confirm: an edit during its save, a decision made elsewhere, the exam not read back', () => {
  const rig = liveRig(() => SIMULATED);

  it('an edit during the save keeps Confirm off, then reads "edited" with Confirm on; confirming again stores the screen value', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await correctHead(context, page, 15);
    const saves = countSaves(page);
    const { held, release } = await holdDecisions(page);
    await page.tap('#confirm');
    await held; // the capture is stored, its first decision waits
    await correctHead(context, page, 15); // a second correction while the first save is held
    const hc2 = await shownHc(page);
    expect(await page.isDisabled('#confirm')).toBe(true);
    await page.tap('#confirm', { force: true }); // a second tap during the save
    release();
    await actionIs(page, liveEn.savedBeforeEdit);
    const first = await storedExam(context, rig.d.url);
    expect(saves.captures).toBe(1); // the second tap sent nothing
    expect(saves.decisions).toBe(first.captures[0]!.measurements.length);
    const stored = first.captures[0]!.measurements.find((m) => m.kind === 'hc')!.finalValue!;
    const state = await page.getAttribute('#state', 'data-i18n');
    // never "saved" over a value not stored: either the stored value is the one shown, or it says edited with Confirm on
    if (Math.abs(stored - hc2) > 0.05) {
      expect(state).toBe('edited');
      expect(await page.isDisabled('#confirm')).toBe(false);
    } else expect(state).toBe('saved');
    expect(Math.abs(stored - hc2)).toBeGreaterThan(0.05); // here the first save carried the first correction
    // Confirm again: what the screen shows is stored, and the frame says saved
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'saved', undefined, { timeout: 30000 });
    const second = await storedExam(context, rig.d.url);
    expect(second.captures).toHaveLength(1);
    expect(Math.abs(second.captures[0]!.measurements.find((m) => m.kind === 'hc')!.finalValue! - hc2)).toBeLessThanOrEqual(0.05 + 1e-9); // shown to one decimal
    expect(await page.isDisabled('#confirm')).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('a measurement decided on another device since: Confirm stays off, the line says where to see it, a tap sends nothing', async () => {
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, [], { consoleErrors: false });
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await correctHead(context, page, 15);
    let otherDevice = false;
    await page.route('**/api/measurements/*/decision', async (route: Route) => {
      if (!otherDevice) {
        otherDevice = true; // another tablet confirms this measurement first
        // the same request as the page makes (its session), without the page's key and with another body
        const headers = Object.fromEntries(Object.entries(route.request().headers()).filter(([k]) => k !== 'idempotency-key' && k !== 'content-length'));
        const other = await route.fetch({ headers, postData: JSON.stringify({ decision: 'confirmed' }) });
        expect(other.status()).toBe(200);
      }
      await route.continue();
    });
    const saves = countSaves(page);
    await page.tap('#confirm');
    // the line says so, and then the message what is stored now (the other tablet's confirmation of HC, read back)
    await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'decidedElsewhereLine', undefined, { timeout: 30000 });
    expect(await page.textContent('#state')).toBe(liveEn.decidedElsewhereLine);
    await page.waitForFunction((head) => document.getElementById('action-message')!.textContent!.startsWith(head), liveEn.decidedElsewhereNow.split('{')[0]!, { timeout: 30000 });
    expect(await page.textContent('#action-message')).toMatch(/: [A-Z]+ \d+\.\d mm, confirmed by clinician\. /);
    expect(await page.isDisabled('#confirm')).toBe(true);
    const sent = saves.decisions;
    await page.tap('#confirm', { force: true });
    const { shown, other } = await (async () => {
      const s = Number(await page.inputValue('#scrub'));
      return { shown: s, other: s > 0 ? s - 1 : s + 1 };
    })();
    await scrubTo(page, other);
    // its capture is stored but its decisions are not this page's: back on it the line still says decided on
    // another device (never "saved", which it said before), the message too, and Confirm stays off
    await scrubTo(page, shown);
    expect(await page.getAttribute('#state', 'data-i18n')).toBe('decidedElsewhereLine');
    expect(await page.textContent('#action-message')).toBe(liveEn.decidedElsewhere);
    expect(await page.isDisabled('#confirm')).toBe(true);
    expect(saves.decisions).toBe(sent);
    expect(saves.captures).toBe(1);
    await context.close();
  }, 120_000);

  it('the exam not read back after every decision is stored: saved, with a line that the summary was not refreshed', async () => {
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, [], { consoleErrors: false });
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await correctHead(context, page, 15);
    await page.route(/\/api\/exams\/[^/?]+$/, (route: Route) =>
      route.request().method() === 'GET' ? route.fulfill({ status: 503, json: { code: 'SONO_UNAVAILABLE', message: 'unavailable' } }) : route.continue(),
    );
    await page.tap('#confirm');
    await actionIs(page, `Corrected and saved. ${liveEn.examNotRefreshed}`);
    expect(await page.getAttribute('#state', 'data-i18n')).toBe('saved');
    expect(await page.isDisabled('#confirm')).toBe(true);
    await context.close();
  }, 120_000);
});
