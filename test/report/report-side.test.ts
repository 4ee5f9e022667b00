/**
 * The printed report of a breast exam says which breast each lesion is in: each capture's heading (and the
 * caption of its image) names LEFT or RIGHT breast, in English and French; a capture stored before sides were
 * recorded says "side not recorded", never a side. Real PDF (pdfkit on its worker), read back with pdftotext.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExamReport } from '../../src/report/build-report.js';
import { breastExamBothSides } from '../helpers/breast-sides-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const popplerAvailable = existsSync('/usr/bin/pdftotext');

describe.skipIf(!popplerAvailable)('the breast side in the printed report', () => {
  const { store, exam } = breastExamBothSides(['left', 'right', undefined]);
  const text = async (lang: 'en' | 'fr'): Promise<string> => {
    const file = join(tempDir('report-side-'), `${lang}.pdf`);
    writeFileSync(file, await buildExamReport(store, exam.id, { lang, timeZone: 'UTC', printedAt: '2026-12-08T01:00:00Z' }));
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  };

  it('English: each capture heading names its breast, in capture order', async () => {
    const pdf = await text('en');
    const headings = pdf
      .split('\n')
      .filter((l) => /^\s*Capture \d/.test(l))
      .map((l) => l.trim().split(' · ')[0]);
    expect(headings).toEqual(['Capture 1 — LEFT breast', 'Capture 2 — RIGHT breast', 'Capture 3 — side not recorded']);
    expect(pdf).toMatch(/Malignancy probability \(AI\)/);
  }, 60_000);

  it('French: sein GAUCHE, sein DROIT', async () => {
    const pdf = await text('fr');
    const headings = pdf
      .split('\n')
      .filter((l) => /^\s*Capture \d/.test(l))
      .map((l) => l.trim().split(' · ')[0]);
    expect(headings).toEqual(['Capture 1 — sein GAUCHE', 'Capture 2 — sein DROIT', 'Capture 3 — côté non enregistré']);
  }, 60_000);
});
