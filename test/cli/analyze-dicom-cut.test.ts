/**
 * `sonoedge analyze` on DICOM files that are cut short (a copy from a USB stick that was unplugged): before,
 * a cut uncompressed file was measured with its missing pixels as black (the last frame flagged blank-image)
 * and every run exited 0 with uncoded errors. Now each bad file gets a line with a coded error, and a run
 * where no image could be analyzed exits 1 with the reason on stderr; a run with some good images still exits 0.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCine } from '../drivers/dicom-cine-file.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const hasDcmcjpeg = spawnSync('dcmcjpeg', ['--version']).status === 0;
const rows = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('sonoedge analyze on a DICOM file cut short', () => {
  const dir = tempDir();
  const good = join(dir, 'good.dcm');
  const cut = join(dir, 'cut.dcm');
  beforeAll(() => {
    const pixels = writeCine(good, 3, 160, 120);
    const whole = readFileSync(good);
    // the copy ends in the middle of the second frame
    writeFileSync(cut, whole.subarray(0, whole.length - pixels + 160 * 120 + 5000));
  });

  it('refuses a cut uncompressed file with SONO_DICOM_TRUNCATED and exits 1 when nothing was analyzed', () => {
    const r = runCli(['analyze', '--model', 'fetal-head', cut]);
    expect(r.status, r.stderr).toBe(1);
    const [row, ...more] = rows(r.stdout);
    expect(more).toHaveLength(0); // one line, not a measurement per (partly black) frame
    expect(row).toMatchObject({ file: cut, code: 'SONO_DICOM_TRUNCATED' });
    expect(row!.error).toMatch(/cut\.dcm ends early: its Pixel Data declares 57600 bytes and the file holds \d+ of them/);
    expect(r.stderr).toMatch(/^sonoedge: no image could be analyzed \(1 of 1 failed\); the first: cut\.dcm ends early.*\(SONO_DICOM_TRUNCATED\)$/m);
  }, 120_000);

  it('a cut header is SONO_DICOM_UNREADABLE; with a good file beside it the run goes on and exits 0', () => {
    const head = join(dir, 'head.dcm');
    writeFileSync(head, readFileSync(good).subarray(0, 300));
    const r = runCli(['analyze', '--model', 'fetal-head', head, good]);
    expect(r.status, r.stderr).toBe(0);
    const [bad, ...frames] = rows(r.stdout);
    expect(bad).toMatchObject({ file: head, code: 'SONO_DICOM_UNREADABLE' });
    expect(bad!.error).toMatch(/head\.dcm is not a readable DICOM file.*dcmdump head\.dcm/);
    expect(frames.map((f) => [f.file, f.frame])).toEqual([0, 1, 2].map((i) => [good, i]));
  }, 120_000);

  it.skipIf(!hasDcmcjpeg)(
    'a cut JPEG file is SONO_DICOM_UNREADABLE on one line, saying it may be cut short',
    () => {
      const jpeg = join(dir, 'jpeg.dcm');
      expect(spawnSync('dcmcjpeg', ['+eb', good, jpeg]).status).toBe(0);
      const whole = readFileSync(jpeg);
      const cutJpeg = join(dir, 'cutjpeg.dcm');
      writeFileSync(cutJpeg, whole.subarray(0, whole.length - 2000));
      const r = runCli(['analyze', '--model', 'fetal-head', cutJpeg]);
      expect(r.status, r.stderr).toBe(1);
      const [row] = rows(r.stdout);
      expect(row).toMatchObject({ file: cutJpeg, code: 'SONO_DICOM_UNREADABLE' });
      expect(row!.error).toMatch(/cutjpeg\.dcm is JPEG compressed and dcmdjpeg could not decompress it \([^\n]+\); the file may be damaged or cut short/);
      expect(r.stderr).toMatch(/^sonoedge: no image could be analyzed \(1 of 1 failed\)/m);
    },
    120_000,
  );
});
