/**
 * An exam takes only the frames received after it began (session 14 review, p7/p2/p12/p8). In Chromium on the
 * simulated probe, against a real daemon: starting the next patient's exam while frozen on the patient before
 * goes live again and cuts the cine, so the oldest frame offered (scrubbed to and confirmed) and a clip around
 * the best frame hold only the new exam's frames; resuming another exam from its record does the same; a save
 * refused because the frame came before the exam says so; an exam closed on another device is dropped (on
 * Confirm, on Close, when the page is seen again) with the reason, in English and French.
 */
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, mode, reviewBestFrame, scrubTo, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

/** The newest raw frame number the page received over /api/live (the simulated probe never restarts its numbering). */
function watchNewestSeq(page: Page): { seq: number } {
  const w = { seq: -1 };
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/api/live')) return;
    ws.on('framereceived', (f) => {
      const b = f.payload;
      if (typeof b === 'string' || b.length < 40 || b.readUInt32LE(0) !== 0x4f4e4f53) return;
      if (b.readUInt16LE(4) > 40 && b.readUInt8(40) !== 0) return; // an enhanced frame (display only)
      w.seq = Math.max(w.seq, b.readUInt32LE(8));
    });
  });
  return w;
}

const openExamId = async (context: BrowserContext, url: string): Promise<string> =>
  ((await (await context.request.get(`${url}/api/exams`)).json()) as Array<{ id: string; closedAt: string | null }>).find((e) => !e.closedAt)!.id;

/** Confirms the oldest kept frame that has a proposal (scrubbing from the start of the cine); the seq stored. */
async function confirmOldest(page: Page, context: BrowserContext, url: string, examId: string): Promise<number> {
  const last = Number(await page.getAttribute('#scrub', 'max'));
  let i = 0;
  for (; i <= last; i++) {
    await scrubTo(page, i);
    if (!(await page.isDisabled('#confirm'))) break;
  }
  expect(i, 'a kept frame with a proposal').toBeLessThanOrEqual(last);
  await page.tap('#confirm');
  const exam = async () => (await (await context.request.get(`${url}/api/exams/${examId}`)).json()) as { captures: Array<{ frameSeq: number }> };
  await expect.poll(async () => (await exam()).captures.length, { timeout: 15000 }).toBe(1);
  return (await exam()).captures[0]!.frameSeq;
}

async function waitLiveFrames(page: Page, w: { seq: number }, n: number): Promise<void> {
  const from = w.seq;
  await expect.poll(() => w.seq - from, { timeout: 20000 }).toBeGreaterThanOrEqual(n);
  await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
}

describe.skipIf(!existsSync(CHROMIUM))('an exam takes only the frames received after it began', () => {
  const rig = liveRig(() => SIMULATED);
  // each test's browser context, closed after it whatever its outcome (a frozen page left open is no other test's)
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  it("the next patient's exam, started while frozen on the patient before: live again; the oldest frame confirmed and a clip hold only its frames", async () => {
    const errors: string[] = [];
    let w = { seq: -1 };
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, { beforeOpen: (p) => (w = watchNewestSeq(p)) });
    contexts.push(context);
    await startExam(page, 'obstetric', 20); // Alice
    if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-1');
    await waitLiveFrames(page, w, 45); // 3 s of Alice in the cine
    await page.tap('#freeze');
    await page.waitForFunction(() => (window as unknown as { sonoMode: () => string }).sonoMode() !== 'live');
    await page.tap('#close-exam');
    await page.tap('#close-yes');
    await page.waitForFunction(() => !document.getElementById('exam-form')!.hidden);

    // Bob: started while still frozen on Alice
    await page.fill('#p-ga', '20');
    const beforeBob = w.seq;
    await page.tap('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    expect(await mode(page), 'live again on the new exam').toBe('live');
    expect(await page.isHidden('#frozen-badge')).toBe(true);
    const bob = await openExamId(context, rig.d.url);

    await waitLiveFrames(page, w, 15);
    await reviewBestFrame(page);
    const confirmed = await confirmOldest(page, context, rig.d.url, bob);
    expect(confirmed, `the oldest frame offered is Bob's (Alice's last was ${beforeBob})`).toBeGreaterThan(beforeBob);

    await page.tap('#save-clip');
    await page.waitForFunction(() => /ok|error/.test(document.getElementById('clip-message')!.className));
    expect(await page.getAttribute('#clip-message', 'class'), (await page.textContent('#clip-message')) ?? '').toContain('ok');
    const clips = (await (await context.request.get(`${rig.d.url}/api/exams/${bob}/clips`)).json()) as Array<{ firstSeq: number; frameCount: number }>;
    expect(clips).toHaveLength(1);
    expect(clips[0]!.firstSeq, 'no frame of the clip was scanned before the exam').toBeGreaterThan(beforeBob);
    expect(errors).toEqual([]);
  }, 120_000);

  it("resuming another exam from its record while frozen: live again, and the frozen patient's frames are not offered to it", async () => {
    const errors: string[] = [];
    let w = { seq: -1 };
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, { beforeOpen: (p) => (w = watchNewestSeq(p)) });
    contexts.push(context);
    // Frank's exam, left open (started on another tablet)
    const frank = ((await (await context.request.post(`${rig.d.url}/api/exams`, { data: { datingGaWeeks: 20 }, headers: { origin: rig.d.url } })).json()) as { id: string }).id;
    await startExam(page, 'obstetric', 20); // Gina, on this tablet
    if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-2');
    await waitLiveFrames(page, w, 30);
    await reviewBestFrame(page); // frozen on Gina
    const beforeResume = w.seq;
    await page.tap('#tabs .tab[data-view="exams"]');
    await page.waitForSelector(`#exam-rows tr[data-exam-id="${frank}"]`);
    await page.tap(`#exam-rows tr[data-exam-id="${frank}"]`);
    const resumed = page.waitForResponse((r) => r.url().endsWith(`/api/exams/${frank}/resume`));
    await page.tap('#record-resume');
    expect((await resumed).status()).toBe(200);
    await page.waitForFunction(() => !document.getElementById('view-live')!.hidden);
    expect(await mode(page), 'live again on the resumed exam').toBe('live');
    expect(await page.isHidden('#frozen-badge')).toBe(true);

    await waitLiveFrames(page, w, 15);
    await reviewBestFrame(page);
    const confirmed = await confirmOldest(page, context, rig.d.url, frank);
    expect(confirmed, `Frank's capture is a frame received after the resume (Gina's last was ${beforeResume})`).toBeGreaterThan(beforeResume);
    expect(errors).toEqual([]);
  }, 120_000);

  it('a frame acquired before the exam was resumed elsewhere is refused with the reason; an exam closed on another device is dropped (Confirm, Close, page seen again)', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, { consoleErrors: false });
    contexts.push(context);
    const post = (url: string, data: object = {}) => context.request.post(`${rig.d.url}${url}`, { data, headers: { origin: rig.d.url } });
    await startExam(page, 'obstetric', 20);
    if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-3');
    let exam = await openExamId(context, rig.d.url);
    await reviewBestFrame(page);
    // another tablet resumes this exam: the frame frozen here came before
    expect((await post(`/api/exams/${exam}/resume`)).status()).toBe(200);
    await page.tap('#confirm');
    await page.waitForFunction(() => (document.getElementById('action-message')?.textContent ?? '').startsWith('This image was acquired before this exam started'));
    expect(await page.textContent('#action-message')).toBe('This image was acquired before this exam started; freeze again to capture the current patient');
    expect(await page.isHidden('#exam-form'), 'the exam stays open').toBe(true);

    // closed on another tablet, then Confirm here
    await page.tap('#freeze'); // live
    await reviewBestFrame(page);
    expect((await post(`/api/exams/${exam}/close`, { operator: 'other' })).status()).toBe(200);
    await page.tap('#confirm');
    await page.waitForFunction(() => !document.getElementById('exam-form')!.hidden);
    expect(await page.textContent('#action-message')).toBe('This exam was closed on another device: start a new exam to save more images');
    expect(await page.textContent('#message')).toBe('This exam was closed on another device: start a new exam to save more images');
    expect(await page.textContent('#exam-summary')).toBe('No exam in progress');

    // closed elsewhere, then Close here (in French)
    await page.tap('#freeze');
    await page.selectOption('#lang', 'fr');
    await startExam(page, 'obstetric', 20);
    exam = await openExamId(context, rig.d.url);
    expect((await post(`/api/exams/${exam}/close`, { operator: 'other' })).status()).toBe(200);
    await page.tap('#close-exam');
    await page.tap('#close-yes');
    await page.waitForFunction(() => !document.getElementById('exam-form')!.hidden);
    expect(await page.textContent('#message')).toBe("Cet examen a été clos sur un autre appareil : commencez un nouvel examen pour enregistrer d'autres images");

    // closed elsewhere while this tablet was out of sight: dropped when seen again
    await startExam(page, 'obstetric', 20);
    exam = await openExamId(context, rig.d.url);
    expect((await post(`/api/exams/${exam}/close`, { operator: 'other' })).status()).toBe(200);
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.waitForFunction(() => !document.getElementById('exam-form')!.hidden);
    expect(await page.textContent('#message')).toBe("Cet examen a été clos sur un autre appareil : commencez un nouvel examen pour enregistrer d'autres images");
    expect(errors).toEqual([]);
  }, 120_000);
});
