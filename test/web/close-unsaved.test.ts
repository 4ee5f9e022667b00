/**
 * Close exam over unsaved work (session-15 clinic review HIGH-1 and MEDIUM-9), Chromium against a real daemon
 * with the simulated probe. Before: the close question said nothing of a frame with a dragged head outline (the
 * exam was sent with 0 captures, the old patient's edited frame stayed on screen with Confirm on); a Close
 * tapped while a Confirm was saving went through (the capture was then refused 409 and lost, or the decisions
 * came after the close and amended the sent report); and after Switch user the next clinician found the previous
 * one's edit labelled "edited by you" and one tap stored it as theirs. Saves are held by page.route until the
 * test lets them go (a slow clinic Wi-Fi, no sleeps).
 */
import { existsSync } from 'node:fs';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, frameToPage, reviewBestFrame, scrubTo, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';
import { correctHead } from './held-saves.js';
import { signInByTouch, waitSignedIn } from './sign-in-ui.js';

type ExamView = { closedAt: string | null; captures: Array<{ measurements: Array<{ id: string; kind: string; state: string; decidedBy: string | null; decidedAt: string | null }> }> };

const CLOSE_ASK = 'Close this exam? It is then sent and can no longer be changed.';
const text = (page: Page, sel: string): Promise<string> => page.evaluate((s) => document.querySelector(s)?.textContent ?? '', sel);
const stateLine = (page: Page): Promise<string | null> => page.getAttribute('#state', 'data-i18n');

/** Holds every request matching `url` until `release()`; `held` resolves when the first one is held. */
async function hold(page: Page, url: string): Promise<{ held: Promise<void>; release: () => void }> {
  let release!: () => void;
  let heldOne!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const held = new Promise<void>((r) => (heldOne = r));
  await page.route(url, async (route: Route) => {
    heldOne();
    await gate;
    await route.continue();
  });
  return { held, release };
}

async function newestExam(page: Page, url: string): Promise<ExamView & { id: string }> {
  const exams = (await (await page.context().request.get(`${url}/api/exams`)).json()) as Array<{ id: string }>;
  return { id: exams[0]!.id, ...((await (await page.context().request.get(`${url}/api/exams/${exams[0]!.id}`)).json()) as ExamView) };
}

describe.skipIf(!existsSync(CHROMIUM))('Close exam over unsaved work', () => {
  const rig = liveRig(() => SIMULATED);

  it('names a frame with an unsaved edit; Go back shows it edited; Close without it leaves nothing of the exam actionable', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await correctHead(context, page);
    const edited = await text(page, '#hc');
    await page.tap('#freeze'); // back to live: the edit is kept on its frame, not saved
    await page.tap('#close-exam');
    await page.locator('#close-ask').waitFor({ state: 'visible' });
    expect(await text(page, '#close-ask p')).toMatch(new RegExp(`^Not saved: frame \\d+ \\(edited\\)\\. ${CLOSE_ASK.replace(/[?.]/g, '\\$&')}$`));
    expect(await text(page, '#close-yes')).toBe('Close without it');
    expect(await text(page, '#close-cancel')).toBe('Go back to it');
    await page.tap('#close-cancel');
    await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'edited');
    expect(await page.isVisible('#frozen-badge')).toBe(true);
    expect(await text(page, '#hc')).toBe(edited);
    // frozen on it now: asked again, the frame on screen is named
    await page.tap('#close-exam');
    await page.locator('#close-ask').waitFor({ state: 'visible' });
    expect(await text(page, '#close-ask p')).toMatch(/^Not saved: frame \d+ \(edited\)\./);
    await page.tap('#close-yes');
    await page.waitForFunction(() => document.getElementById('message')!.textContent === 'Exam closed: the form is ready for the next patient', undefined, { timeout: 15000 });
    expect(await page.isVisible('#frozen-badge')).toBe(false);
    expect(await page.isDisabled('#confirm')).toBe(true);
    expect(await stateLine(page)).not.toBe('edited');
    const exam = await newestExam(page, rig.d.url);
    expect(exam.closedAt).not.toBeNull();
    expect(exam.captures).toHaveLength(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('names a saved frame with a caliper made after its Confirm, also once scrubbed away from it', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent === 'Confirmed and saved', undefined, { timeout: 30000 });
    const size = await page.evaluate(() => ({ w: (document.getElementById('frame') as HTMLCanvasElement).width, h: (document.getElementById('frame') as HTMLCanvasElement).height }));
    await page.tap('#tool-distance');
    await page.waitForSelector('#tool-distance[aria-pressed="true"]', { timeout: 5000 });
    for (const x of [size.w / 2 - 60, size.w / 2 + 60]) {
      const p = await frameToPage(page, Math.round(x), Math.round(size.h / 2));
      await page.touchscreen.tap(p.x, p.y);
    }
    await page.waitForSelector('#manual-measures li');
    const shown = Number(await page.inputValue('#scrub'));
    await scrubTo(page, shown > 0 ? shown - 1 : shown + 1);
    await page.tap('#close-exam');
    await page.locator('#close-ask').waitFor({ state: 'visible' });
    expect(await text(page, '#close-ask p')).toMatch(/^Not saved: frame \d+ \(calipers\)\. Close this exam\?/);
    await page.tap('#close-cancel'); // Go back to it: the saved frame, its caliper, Confirm on for it
    await page.waitForFunction((i) => (document.getElementById('scrub') as HTMLInputElement).value === String(i), shown);
    expect(await page.textContent('#manual-measures li')).toMatch(/^D1 /);
    expect(await page.isEnabled('#confirm')).toBe(true);
    await page.tap('#close-exam');
    await page.locator('#close-ask').waitFor({ state: 'visible' });
    expect(await text(page, '#close-ask p')).toMatch(/^Not saved: frame \d+ \(calipers\)\./);
    await page.tap('#close-yes');
    await page.waitForFunction(() => document.getElementById('message')!.textContent === 'Exam closed: the form is ready for the next patient', undefined, { timeout: 15000 });
    const exam = await newestExam(page, rig.d.url);
    expect(exam.captures).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it.each([
    ['its capture', '**/api/exams/*/captures/frame*'],
    ['its decisions', '**/api/measurements/*/decision'],
  ])(
    'Close tapped while a Confirm saves (%s held) waits for it and says so: the capture and every decision are stored before the close',
    async (_what, url) => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
      await startExam(page, 'obstetric', 20);
      await reviewBestFrame(page);
      await correctHead(context, page);
      const { held, release } = await hold(page, url);
      await page.tap('#confirm');
      await held;
      await page.tap('#close-exam');
      await page.waitForFunction(() => document.getElementById('message')!.textContent!.startsWith('Saving: the exam can be closed once'));
      expect(await page.isHidden('#close-ask')).toBe(true);
      expect(await page.isDisabled('#close-exam')).toBe(true);
      release();
      await page.locator('#close-ask').waitFor({ state: 'visible', timeout: 30000 });
      expect(await text(page, '#close-ask p')).toBe(CLOSE_ASK); // saved: nothing left to name
      expect(await text(page, '#action-message')).toBe('Corrected and saved');
      await page.tap('#close-yes');
      await page.waitForFunction(() => document.getElementById('message')!.textContent === 'Exam closed: the form is ready for the next patient', undefined, { timeout: 15000 });
      const exam = await newestExam(page, rig.d.url);
      expect(exam.captures).toHaveLength(1);
      const ms = exam.captures[0]!.measurements;
      expect(ms.find((m) => m.kind === 'hc')!.state).toBe('corrected');
      for (const m of ms) {
        expect(m.state).not.toBe('unverified');
        expect(Date.parse(m.decidedAt!)).toBeLessThanOrEqual(Date.parse(exam.closedAt!)); // decided before the close: no amendment
      }
      const history = (await (await context.request.get(`${rig.d.url}/api/exams/${exam.id}/decisions`)).json()) as unknown[];
      expect(history).toHaveLength(ms.length);
      expect(errors).toEqual([]);
      await context.close();
    },
    120_000,
  );

  it('Switch user: the next clinician does not find the previous one’s unsaved edit, and a Confirm stores the AI values as theirs', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, { consoleErrors: false }); // the sign-out's 401s
    if (!rig.d.runtime.access.services.users.find('mw2')) await rig.d.runtime.access.services.users.add('mw2', 'clinician', '593246');
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page);
    const ai = await text(page, '#hc');
    await correctHead(context, page);
    expect(await text(page, '#hc')).not.toBe(ai);
    await page.tap('#switch-user');
    await signInByTouch(page, 'mw2', '593246');
    await waitSignedIn(page, 'mw2');
    expect(await page.inputValue('#operator')).toBe('mw2');
    expect(await stateLine(page)).toBe('unverified');
    expect(await text(page, '#hc')).toBe(ai);
    expect(await text(page, '#action-message')).toMatch(/^The previous user’s unsaved edits were discarded \(frame \d+ \(edited\)\)/);
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent === 'Confirmed and saved', undefined, { timeout: 30000 });
    const exam = await newestExam(page, rig.d.url);
    const hc = exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect(hc.state).toBe('confirmed');
    expect(hc.decidedBy).toBe('mw2');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
