/**
 * A Confirm's decisions are stored once, and a decision made on another device is shown as it is stored
 * (session 13). Chromium, real daemon, simulated probe; history rows counted in the daemon's own SQLite.
 * - Retry after a partial failure: the first decision of a Confirm is answered, the second never reaches the
 *   daemon (the Wi-Fi drops). Tapping Confirm again must not store the answered one a second time: before,
 *   the retry expected the page's own answer (a new body, so a new Idempotency-Key) and wrote a second
 *   identical history row.
 * - The same retry after another tablet decided the answered measurement meanwhile: the daemon refuses the
 *   replay (409 stale, src/records/measurement-decision.ts storedReplay), and the page says what is stored
 *   instead of "saved" over values that are not.
 * - Decided on another device while this tablet showed the AI proposal: 409 SONO_DECISION_STALE is right
 *   (its expectation "unverified" is what it showed), and then the state line no longer says "edited by you"
 *   but that it was decided elsewhere (in both languages), Confirm stays off, and the message says what is
 *   stored now (value, state, who).
 */
import { existsSync } from 'node:fs';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, reviewBestFrame, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';
import { correctHead } from './held-saves.js';
import { fill, liveEn, liveFr } from '../../web-ui/src/live/strings.js';

type M = { id: string; kind: string; unit: string; state: string; aiValue: number | null; finalValue: number | null; decidedBy: string | null; decidedAt: string | null };
type ExamView = { id: string; captures: Array<{ id: string; measurements: M[] }> };

const actionIs = (page: Page, text: string): Promise<unknown> => page.waitForFunction((t) => document.getElementById('action-message')!.textContent === t, text, { timeout: 30000 });

describe.skipIf(!existsSync(CHROMIUM))('Confirm: decisions stored once, a decision made elsewhere shown as stored', () => {
  const rig = liveRig(() => SIMULATED);
  /** History rows per measurement of the exam, from the records database itself. */
  const rows = (examId: string): Map<string, number> =>
    new Map(
      (
        rig.d.db
          .prepare(
            'SELECT m.id AS id, count(d.id) AS n FROM measurements m JOIN captures c ON c.id = m.capture_id LEFT JOIN measurement_decisions d ON d.measurement_id = m.id WHERE c.exam_id = ? GROUP BY m.id',
          )
          .all(examId) as Array<{ id: string; n: number }>
      ).map((r) => [r.id, r.n]),
    );
  const openExamId = async (page: Page): Promise<string> => {
    const exams = (await (await page.context().request.get(`${rig.d.url}/api/exams`)).json()) as Array<{ id: string; closedAt: string | null }>;
    return exams.find((e) => e.closedAt === null)!.id;
  };

  it('a Confirm retried after its second decision failed stores each decision once (one history row per measurement)', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, { consoleErrors: false });
    await startExam(page, 'obstetric', 20);
    const examId = await openExamId(page);
    await reviewBestFrame(page);
    await correctHead(context, page, 15);
    const sent: string[] = [];
    let dropped = false;
    await page.route('**/api/measurements/*/decision', async (route: Route) => {
      sent.push(route.request().url());
      // the first decision is answered; the second is lost on the way (once)
      if (sent.length === 2 && !dropped) {
        dropped = true;
        return route.abort('internetdisconnected');
      }
      return route.continue();
    });
    await page.tap('#confirm');
    await actionIs(page, liveEn.deviceUnreachable);
    await page.waitForFunction(() => !(document.getElementById('confirm') as HTMLButtonElement).disabled, undefined, { timeout: 10000 });
    const afterFailure = rows(examId);
    expect([...afterFailure.values()].sort()).toEqual([...Array(afterFailure.size - 1).fill(0), 1]); // one answered
    await page.tap('#confirm');
    await actionIs(page, 'Corrected and saved');
    expect(await page.getAttribute('#state', 'data-i18n')).toBe('saved');
    const after = rows(examId);
    expect(after.size).toBe(4); // HC, BPD, OFD, GA
    expect([...after.values()]).toEqual([1, 1, 1, 1]); // before the fix: the first one had 2
    expect(sent.length).toBe(2 + after.size); // the retry sent all four again: the answered one was replayed
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('the retry after another tablet decided the answered measurement: 409, the line and message say what is stored, no third row', async () => {
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, [], { consoleErrors: false });
    await startExam(page, 'obstetric', 20);
    const examId = await openExamId(page);
    await reviewBestFrame(page);
    await correctHead(context, page, 15);
    const sent: string[] = [];
    await page.route('**/api/measurements/*/decision', async (route: Route) => {
      sent.push(decodeURIComponent(/measurements\/([^/]+)\/decision/.exec(route.request().url())![1]!));
      return sent.length === 2 ? route.abort('internetdisconnected') : route.continue();
    });
    await page.tap('#confirm');
    await actionIs(page, liveEn.deviceUnreachable);
    await page.waitForFunction(() => !(document.getElementById('confirm') as HTMLButtonElement).disabled, undefined, { timeout: 10000 });
    // another tablet (the admin's session) corrects the measurement this page's first try stored
    const answered = (await (await fetch(`${rig.d.url}/api/exams/${examId}`)).json()) as ExamView;
    const mine = answered.captures.flatMap((c) => c.measurements).find((x) => x.id === sent[0])!;
    expect(mine.decidedBy).toBe('clinician');
    const r = await fetch(`${rig.d.url}/api/measurements/${mine.id}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'corrected', value: Math.round(mine.finalValue!) + 9, expect: { state: mine.state, decidedAt: mine.decidedAt } }),
    });
    expect(r.status).toBe(200);
    const other = (await r.json()) as M;
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'decidedElsewhereLine', undefined, { timeout: 30000 });
    const en = `${other.kind.toUpperCase()} ${other.finalValue!.toFixed(1)} mm`;
    await actionIs(page, fill(liveEn.decidedElsewhereNow, { list: fill(liveEn.correctedBy, { what: en, by: 'admin' }) }));
    expect(await page.isDisabled('#confirm')).toBe(true);
    // the page's first decision and the other tablet's: no replay of the page's stored as if in force, nothing more
    const stored = rows(examId);
    expect(stored.get(mine.id)).toBe(2);
    expect([...stored.values()].reduce((a, b) => a + b, 0)).toBe(2);
    await context.close();
  }, 120_000);

  it('decided on another device since: 409, and the line, Confirm and message say what is stored (French and English)', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, { consoleErrors: false });
    await startExam(page, 'obstetric', 20);
    const examId = await openExamId(page);
    await reviewBestFrame(page);
    await correctHead(context, page, 15);
    await page.selectOption('#lang', 'fr');
    const other: { m?: M; status?: number } = {};
    await page.route('**/api/measurements/*/decision', async (route: Route) => {
      if (!other.m) {
        // another tablet (the admin's session) corrects this measurement first, while this one shows its own edit
        const id = decodeURIComponent(/measurements\/([^/]+)\/decision/.exec(route.request().url())![1]!);
        const exam = (await (await fetch(`${rig.d.url}/api/exams/${examId}`)).json()) as ExamView;
        const m = exam.captures.flatMap((c) => c.measurements).find((x) => x.id === id)!;
        const r = await fetch(`${rig.d.url}/api/measurements/${id}/decision`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ decision: 'corrected', value: Math.round(m.aiValue!) + 7, expect: { state: 'unverified', decidedAt: null } }),
        });
        other.status = r.status;
        other.m = (await r.json()) as M;
      }
      await route.continue();
    });
    const statuses: number[] = [];
    page.on('response', (r) => /\/decision$/.test(r.url()) && statuses.push(r.status()));
    // what the page writes on the image from now on (the state label top right must agree with the line)
    await page.evaluate(() => {
      const w = window as unknown as { drawn: string[] };
      w.drawn = [];
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text: string, x: number, y: number, maxWidth?: number) {
        w.drawn.push(text);
        return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth);
      };
    });
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'decidedElsewhereLine', undefined, { timeout: 30000 });
    await page.waitForFunction((label) => (window as unknown as { drawn: string[] }).drawn.includes(label), liveFr.decidedElsewhereOnImage, { timeout: 10000 });
    const m = other.m!;
    expect(other.status).toBe(200);
    expect(m.unit).toBe('mm'); // the head's first measurement
    const fr = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }).format(m.finalValue!);
    await actionIs(page, fill(liveFr.decidedElsewhereNow, { list: fill(liveFr.correctedBy, { what: `${m.kind.toUpperCase()} ${fr} mm`, by: 'admin' }) }));
    expect(statuses).toEqual([409]); // the page's decision was refused, nothing after it sent
    expect(await page.textContent('#state')).toBe(liveFr.decidedElsewhereLine);
    expect(await page.isDisabled('#confirm')).toBe(true);
    await page.selectOption('#lang', 'en');
    expect(await page.textContent('#state')).toBe(liveEn.decidedElsewhereLine);
    // stored: the other tablet's decision only, once; nothing of this page's
    const stored = rows(examId);
    expect(stored.get(m.id)).toBe(1);
    expect([...stored.values()].reduce((a, b) => a + b, 0)).toBe(1);
    const byWhom = rig.d.db.prepare('SELECT decided_by AS by, final_value AS v FROM measurement_decisions WHERE measurement_id = ?').get(m.id) as { by: string; v: number };
    expect(byWhom).toEqual({ by: 'admin', v: m.finalValue });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
