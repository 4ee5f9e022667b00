/**
 * The OCR gate's reading (real tesseract from Debian): plain speckle from the simulated probe is not text; a
 * name and an ID rendered on a dark part of the picture are, with their boxes; the filter's thresholds sit
 * between the two (the numbers are printed, not asserted as speeds).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { DEFAULT_BURNED_TEXT_RULES, burnedText } from '../../src/ocr/burned-text.js';
import { readWords } from '../../src/ocr/tesseract.js';
import { parseTesseractTsv } from '../../src/ocr/tsv.js';
import { burnText } from './burn-text.js';

const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;
const W = 640;
const H = 480;

describe('tesseract TSV', () => {
  it('keeps word rows with text, their boxes and confidence', () => {
    const tsv = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n'
      + '1\t1\t0\t0\t0\t0\t0\t0\t640\t480\t-1\t\n5\t1\t1\t1\t1\t1\t9\t10\t31\t13\t96.9\tJane\n5\t1\t1\t1\t1\t2\t46\t10\t26\t10\t95\t \n';
    expect(parseTesseractTsv(tsv)).toEqual([{ text: 'Jane', confidence: 96.9, box: { x: 9, y: 10, width: 31, height: 13 } }]);
  });

  it('counts a word as text from 3 letters or digits at confidence 80', () => {
    const w = (text: string, confidence: number) => ({ text, confidence, box: { x: 0, y: 0, width: 1, height: 1 } });
    expect(burnedText([w('are', 68.6), w('=', 79), w('ID', 95)])).toBeUndefined();
    expect(burnedText([w('Jane', 96.9), w('Doe', 96.9), w('a', 99)])?.text).toBe('Jane Doe');
  });
});

describe.skipIf(!hasTesseract)('burned-in text in 640×480 ultrasound pictures (real tesseract)', () => {
  const probe = new SimulatedProbe('p', {});
  probe.prepare();

  it('finds nothing in speckle, and the name and ID on the dark part of the picture', async () => {
    const px = new Uint8Array(W * H);
    let bestNoise = 0;
    const ms: number[] = [];
    for (const seq of [0, 7, 20, 45, 80, 120]) {
      probe.render(seq, px);
      const t = performance.now();
      const words = await readWords(px, W, H, { timeoutMs: 20000 });
      ms.push(performance.now() - t);
      for (const w of words) if ((w.text.match(/[\p{L}\p{N}]/gu) ?? []).length >= DEFAULT_BURNED_TEXT_RULES.minChars) bestNoise = Math.max(bestNoise, w.confidence);
      expect(burnedText(words), `frame ${seq}`).toBeUndefined();
    }
    probe.render(3, px);
    // the top corners of a sector picture are black: where scanners put names, dates and IDs
    const named = await burnText(px, W, H, 'DOE, JANE  MRN-4711', 12, 24);
    const t = performance.now();
    const found = burnedText(await readWords(named, W, H, { timeoutMs: 20000 }));
    ms.push(performance.now() - t);
    expect(found?.text).toContain('4711');
    expect(found?.text).toMatch(/DOE/);
    const box = found!.boxes[0]!;
    expect(box.x).toBeLessThan(200);
    expect(box.y).toBeLessThan(30);
    console.log(`OCR gate: speckle's best ≥3-character word at confidence ${bestNoise.toFixed(1)} (threshold ${DEFAULT_BURNED_TEXT_RULES.minConfidence}); ${ms.map((m) => m.toFixed(0)).join(', ')} ms per 640×480 image`);
  }, 60_000);

  it('a tesseract that cannot run is a coded failure, not "no text"', async () => {
    await expect(readWords(new Uint8Array(W * H), W, H, { timeoutMs: 5000, bin: '/nonexistent/tesseract' })).rejects.toMatchObject({ code: 'SONO_OCR_FAILED' });
  });
});
