/**
 * French complete on the live page (issue 18), in Chromium with touch at 1280×800 and 820×1180: the language
 * chosen with the selector (reachable in portrait too), an obstetric exam walked through live, frozen, measured
 * and confirmed, and a breast exam's summary: no English string of the page's dictionaries is left in the live
 * view; GA written "26 SA 1 j", decimals with a comma, the centile flag and the lesion summary in French.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { CHROMIUM, breastMissing, breastReplayConfig, replayFolder } from './breast-replay.js';
import { VIEWPORTS, clinicianPage, notSeen, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

/**
 * `key: 'text'` pairs of a dictionary object literal in a source file (the page's own strings): the literal that
 * opens on the line of the last of `starts` (each looked for after the one before) and closes at its indentation.
 */
function entries(file: string, ...starts: string[]): Map<string, string> {
  const src = readFileSync(join(packageRoot(), file), 'utf8');
  let from = 0;
  for (const s of starts) {
    from = src.indexOf(s, from);
    if (from < 0) throw new Error(`${file} has no ${JSON.stringify(s)}: the dictionaries' shape changed, update this test`);
  }
  const indent = /^\s*/.exec(src.slice(src.lastIndexOf('\n', from) + 1))![0];
  const body = src.slice(from, src.indexOf(`\n${indent}}`, from));
  const out = new Map<string, string>();
  for (const m of body.matchAll(/^\s+'?([\w-]+)'?: (['"])(.*?)\2,?$/gm)) out.set(m[1]!, m[3]!.replace(/\\'/g, "'"));
  return out;
}

/** English strings of the live view (i18n.ts and live/strings.ts) that French writes otherwise, longest first. */
function englishOnly(): string[] {
  const pairs: Array<[Map<string, string>, Map<string, string>]> = [
    [entries('web-ui/src/i18n.ts', 'const dicts = defineStrings({', '  en: {'), entries('web-ui/src/i18n.ts', 'const dicts = defineStrings({', '  fr: {')],
    [entries('web-ui/src/live/strings.ts', 'export const liveEn = {'), entries('web-ui/src/live/strings.ts', 'export const liveFr')],
  ];
  const out: string[] = [];
  for (const [en, fr] of pairs) for (const [k, v] of en) if (fr.get(k) !== v && v.length >= 4 && !v.includes('{')) out.push(v);
  return out.sort((a, b) => b.length - a.length);
}

/** Every word the live view shows or says (text, titles, labels, placeholders), the exam form aside (its own screen). */
const liveWords = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const parts: string[] = [];
    const roots = Array.from(document.querySelectorAll('#panel > section:not(#exam), #stage, #conn, #fps, #latency, #tabs, .lang'));
    for (const r of roots) {
      parts.push((r as HTMLElement).innerText);
      for (const el of [r, ...Array.from(r.querySelectorAll('*'))]) for (const a of ['title', 'aria-label', 'placeholder']) if (el.getAttribute(a)) parts.push(el.getAttribute(a)!);
    }
    parts.push((document.getElementById('frame') as HTMLCanvasElement).getAttribute('aria-label') ?? '');
    return parts.join('\n');
  });

function expectNoEnglish(text: string, english: string[]): void {
  // whole words only: "Exam" is English, "Examens" is not
  const left = english.filter((e) => new RegExp(`(?<!\\p{L})${e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\p{L})`, 'u').test(text));
  expect(left, `English left in the French live view (${JSON.stringify(left)}):\n${text}`).toEqual([]);
}

async function chooseFrench(page: Page): Promise<void> {
  expect(await notSeen(page, '#lang')).toBe(''); // reachable without scrolling, portrait too
  await page.selectOption('#lang', 'fr');
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
}

describe.skipIf(!existsSync(CHROMIUM))('French live page: obstetric exam', () => {
  const english = englishOnly();
  const rig = liveRig(() => SIMULATED);

  it('the dictionaries were read (the check below cannot pass on an empty list)', () => {
    expect(english.length).toBeGreaterThan(60);
    expect(english).toContain('AI proposal · unverified');
    expect(english).toContain('below the 3rd centile');
  });

  for (const viewport of VIEWPORTS) {
    it(`live, frozen, measured and confirmed in French, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors);
      await chooseFrench(page);
      await startExam(page, 'obstetric', 26);
      await page.waitForFunction(() => document.getElementById('centile')!.classList.contains('out-of-range'), undefined, { timeout: 20000 });
      expect(await page.textContent('#hc')).toMatch(/^\d+,\d mm$/);
      await page.waitForFunction(() => document.getElementById('fps')!.textContent!.endsWith('i/s'));
      expect(await page.textContent('#fps')).toMatch(/^\d+,\d i\/s$/);
      expect(await page.textContent('#ga')).toMatch(/^\d+ SA [0-6] j$/);
      expect(await page.textContent('#centile .flag-words')).toBe('sous le 3e centile');
      expect(await page.textContent('#centile .centile-value')).toMatch(/^⚠ 0 \(z −\d,\d\d\)$/);
      expect(await page.textContent('#state')).toBe('Proposition IA · non vérifiée');
      expectNoEnglish(await liveWords(page), english);

      // a kept frame with a result to review before Freeze (a sleep gave no such promise on a loaded machine)
      await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
      await page.tap('#freeze');
      await page.tap('#best');
      await page.waitForFunction(() => document.getElementById('frame')!.dataset.overlay === 'review');
      await page.tap('#tool-distance');
      const box = await page.evaluate(() => document.getElementById('frame')!.getBoundingClientRect().toJSON() as DOMRect);
      await page.touchscreen.tap(box.left + box.width * 0.3, box.top + box.height * 0.2);
      await page.touchscreen.tap(box.left + box.width * 0.6, box.top + box.height * 0.2);
      await page.waitForSelector('#manual-measures li');
      expect(await page.textContent('#manual-measures li')).toMatch(/^D1 \d+,\d mm$/);
      expectNoEnglish(await liveWords(page), english);
      await page.tap('#confirm');
      await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 15000 });
      expect(await page.textContent('#action-message')).toBe('Validé et enregistré');
      expect(await page.textContent('#freeze')).toBe('Direct');
      expectNoEnglish(await liveWords(page), english);
      await page.tap('#freeze');
      expect(errors).toEqual([]);
      await context.close();
    }, 90_000);
  }
});

describe.skipIf(breastMissing.length > 0)('French live page: breast exam', () => {
  const english = englishOnly();
  const rig = liveRig(async () => breastReplayConfig(await replayFolder()));

  it('the lesion summary, categories and diameters in French, 820×1180', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, VIEWPORTS[1], errors);
    await chooseFrench(page);
    await startExam(page, 'breast');
    await page.waitForFunction(() => /^Lésion|^Signes suspects|^Aucune lésion/.test(document.getElementById('b-summary')!.textContent ?? ''), undefined, { timeout: 30000 });
    const summary = (await page.textContent('#b-summary'))!;
    expect(summary).toContain("Aide à la décision par IA, pas un diagnostic : non vérifié tant qu'un clinicien n'a pas validé ou corrigé le contour.");
    expect(summary).not.toMatch(/AI malignancy|margin|wider than|not a diagnosis/);
    expect(await page.textContent('#b-max')).toMatch(/^\d+,\d mm$/);
    expect(await page.textContent('#b-pmal')).toMatch(/^[<>]?\d+ %$/);
    expectNoEnglish(await liveWords(page), english);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
