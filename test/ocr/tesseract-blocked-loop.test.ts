/**
 * tesseract's deadline against a blocked event loop (real tesseract): the sync process's event loop can be
 * held by a synchronous job for longer than the OCR deadline; a run that answered meanwhile, or that the
 * loop kept from being watched, is not failed as "no answer".
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWords } from '../../src/ocr/tesseract.js';
import { tempDir } from '../helpers/tmp.js';

const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;

function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* a synchronous job, as an exam build is */
  }
}

describe.skipIf(!hasTesseract)('tesseract deadline', () => {
  it('a run whose deadline passes while the loop is blocked is not failed', async () => {
    const px = new Uint8Array(64 * 64).fill(0);
    const run = readWords(px, 64, 64, { timeoutMs: 400 });
    block(2000); // well past the deadline; tesseract answers meanwhile
    await expect(run).resolves.toEqual([]);
  }, 30_000);

  it('a run that truly does not answer still fails', async () => {
    // a hung tesseract: it ignores its input and never answers in time
    const bin = join(tempDir('tess-hung-'), 'tesseract');
    writeFileSync(bin, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(bin, 0o755);
    const run = readWords(new Uint8Array(16), 4, 4, { timeoutMs: 300, bin });
    await expect(run).rejects.toThrow(/no answer within 300 ms/);
  }, 30_000);
});
