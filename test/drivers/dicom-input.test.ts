/**
 * The dicom driver's input checks, on real Part 10 files written by sonoedge's own US writer (and one
 * JPEG-compressed by dcmtk's dcmcjpeg): a Frame Time of 0 or below is not played as given (it flooded frames
 * at ~860 fps); a folder is read without blocking the event loop and within a memory budget.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DicomSource, readDicomClip, readDicomClipAsync } from '../../drivers/dicom/dicom.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { writePart10 } from '../../src/sync/dicom-file.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';
import { tempDir } from '../helpers/tmp.js';

const W = 160;
const H = 120;
const hasDcmcjpeg = spawnSync('dcmcjpeg', ['--version']).status === 0;

/** An Ultrasound Multi-frame Image of `n` frames (each a different gray ramp) with the given Frame Time. */
function writeCine(file: string, n: number, frameTime: number | string): void {
  const all = new Uint8Array(W * H * n).map((_, i) => (i + Math.floor(i / (W * H)) * 40) % 251);
  const study = {
    studyInstanceUid: newUid(),
    studyDate: '20260101',
    studyTime: '120000',
    studyId: '',
    accessionNumber: '',
    patient: { name: 'X', id: 'X', birthDate: '', sex: '' },
    deviceSerial: 'x',
    softwareVersion: '0',
  };
  const ds = buildUsImage(study, {
    seriesInstanceUid: newUid(),
    seriesNumber: 1,
    sopInstanceUid: newUid(),
    instanceNumber: 1,
    contentDate: '20260101',
    contentTime: '120000',
    width: W,
    height: H,
    pixels: all,
    region: { x: 0, y: 0, width: W, height: H },
    pixelSpacingMm: { x: 0.2, y: 0.2 },
    derived: false,
    seriesDescription: 'cine',
    burnedInAnnotation: 'NO',
  });
  Object.assign(ds, { SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1', NumberOfFrames: n, FrameTime: frameTime, FrameIncrementPointer: 0x00181063 });
  writeFileSync(file, writePart10(ds));
}

describe('dicom input checks', () => {
  const dir = tempDir();
  afterEach(() => void vi.useRealTimers());

  it('ignores a Frame Time of 0 or below (or absurdly long), keeps a sane one', () => {
    for (const [ft, want] of [
      [0, undefined],
      [-5, undefined],
      [1e6, undefined],
      [0.001, undefined],
      [33, 33],
    ] as const) {
      writeCine(join(dir, `ft${ft}.dcm`), 2, ft);
      const clip = readDicomClip(join(dir, `ft${ft}.dcm`));
      expect(clip.frameTimeMs, `Frame Time ${ft}`).toBe(want);
      expect(clip.frameTimeIgnored, `Frame Time ${ft}`).toBe(want === undefined ? ft : undefined);
    }
  });

  it('plays a file with Frame Time 0 at the default 10 fps and says so in health', async () => {
    writeCine(join(dir, 'zero.dcm'), 4, 0);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const src = new DicomSource('d', { path: join(dir, 'zero.dcm') });
    let frames = 0;
    await src.start(() => frames++);
    vi.advanceTimersByTime(1000); // a Frame Time of 0 would run a 0 ms timer without end here
    await src.stop();
    expect(frames).toBe(11); // the first at once, then one each 100 ms
    expect(src.health().lastError).toMatch(/zero\.dcm: Frame Time 0 ms is not usable \(4\.17–10000 ms\); played at 10 fps; set fps to choose the rate/);
    expect(src.health().errors).toBe(1);
  });

  it('reads a folder a file at a time, letting the event loop turn between files', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    for (let k = 0; k < 4; k++) writeCine(join(folder, `c${k}.dcm`), 3, 50);
    let turns = 0;
    let loading = true;
    const spin = (): void => {
      if (!loading) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const src = new DicomSource('d', { path: folder });
    let firstFrameTurns = -1;
    await src.start(() => {
      if (firstFrameTurns < 0) firstFrameTurns = turns;
    });
    loading = false;
    await src.stop();
    expect(firstFrameTurns).toBeGreaterThanOrEqual(4); // before: 0 (all four files decoded inside one call)
    expect(src.health().errors).toBe(0);
  });

  it('refuses a folder whose frames exceed maxPixelBytes, naming the budget, with a code', async () => {
    const folder = join(dir, 'big');
    mkdirSync(folder);
    for (let k = 0; k < 3; k++) writeCine(join(folder, `c${k}.dcm`), 4, 50); // 76 800 bytes of frames each
    const src = new DicomSource('d', { path: folder, maxPixelBytes: 200_000 });
    const err = await src
      .start(() => {})
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(SonoError);
    expect((err as SonoError).code).toBe(ErrorCodes.DICOM_TOO_LARGE);
    expect((err as SonoError).message).toMatch(/needs more memory for its decoded frames than the budget of 200000 bytes \(maxPixelBytes\): c2\.dcm decodes to 76800 bytes/);
    expect((err as SonoError).details).toMatchObject({ budgetBytes: 200_000, neededBytes: 76_800, budgetLeftBytes: 200_000 - 2 * 76_800 });
    const fits = new DicomSource('d', { path: folder, maxPixelBytes: 3 * 76_800 });
    await fits.start(() => {});
    await fits.stop();
    expect(fits.health().errors).toBe(0);
  });

  it.skipIf(!hasDcmcjpeg)('decompresses a JPEG file through dcmdjpeg as a child process (async), the same size as the sync reader', async () => {
    writeCine(join(dir, 'plain.dcm'), 2, 40);
    const r = spawnSync('dcmcjpeg', ['+eb', join(dir, 'plain.dcm'), join(dir, 'jpeg.dcm')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const a = await readDicomClipAsync(join(dir, 'jpeg.dcm'));
    const s = readDicomClip(join(dir, 'jpeg.dcm'));
    expect([a.width, a.height, a.frames.length, a.frameTimeMs]).toEqual([W, H, 2, 40]);
    expect(a.frames[1]).toEqual(s.frames[1]);
    await expect(readDicomClipAsync(join(dir, 'jpeg.dcm'), 1000)).rejects.toMatchObject({ code: ErrorCodes.SOURCE_FAILED });
  });
});
