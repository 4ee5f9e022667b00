/**
 * The dicom driver's input problems are coded (SONO_DICOM_*) and say what to do, in `start`'s error, in the
 * source's health and in PUT /api/source's answer. Real files: dcmtk's img2dcm (from a BMP), dcmodify,
 * dcmcrle and dcmdrle, sonoedge's own US writer, and a copy cut short as an unplugged stick leaves it.
 * Before: plain errors without a code (the budget's generic SONO_SOURCE_FAILED), and a file cut short
 * played with its missing pixels as black, without a word.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDrivers } from '../../drivers/index.js';
import { DicomSource } from '../../drivers/dicom/dicom.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { writePart10 } from '../../src/sync/dicom-file.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';
import { type TestApp, buildTestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

const hasDcmtk = ['img2dcm', 'dcmodify', 'dcmcrle', 'dcmdrle', 'dcmdjpeg'].every((t) => spawnSync(t, ['--version']).status === 0);
const W = 96;
const H = 64;

/** An Ultrasound Multi-frame Image of `n` frames at 40 ms, by sonoedge's writer. */
function writeCine(file: string, n: number): void {
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
    pixels: new Uint8Array(W * H * n).map((_, i) => 1 + (i % 250)),
    region: { x: 0, y: 0, width: W, height: H },
    pixelSpacingMm: { x: 0.2, y: 0.2 },
    derived: false,
    seriesDescription: 'cine',
    burnedInAnnotation: 'NO',
  });
  Object.assign(ds, { SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1', NumberOfFrames: n, FrameTime: 40, FrameIncrementPointer: 0x00181063 });
  writeFileSync(file, writePart10(ds));
}

const run = (tool: string, ...args: string[]): void => void execFileSync(tool, args, { stdio: 'pipe' });

/** What `start` rejects with (a SonoError), or undefined when the source started. */
async function startError(settings: Record<string, unknown>): Promise<{ err: SonoError; src: DicomSource } | undefined> {
  const src = new DicomSource('d', settings);
  try {
    await src.start(() => {});
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(SonoError);
    return { err: err as SonoError, src };
  }
  await src.stop();
  return undefined;
}

describe.skipIf(!hasDcmtk)('dicom driver: coded input errors', () => {
  const dir = realpathSync(tempDir());
  const at = (f: string): string => join(dir, f);

  beforeAll(() => {
    writeCine(at('plain.dcm'), 3);
    run('dcmcrle', at('plain.dcm'), at('rle.dcm')); // RLE Lossless
    writeCine(at('whole.dcm'), 4);
    copyFileSync(at('whole.dcm'), at('cut.dcm'));
    truncateSync(at('cut.dcm'), statSync(at('whole.dcm')).size - 1000); // the copy's last 1000 bytes never arrived
  });

  it('an RLE file: SONO_DICOM_UNSUPPORTED_SYNTAX naming the syntax and dcmdrle, which then makes it playable', async () => {
    const r = await startError({ path: at('rle.dcm') });
    expect(r?.err.code).toBe(ErrorCodes.DICOM_UNSUPPORTED_SYNTAX);
    expect(r?.err.message).toMatch(
      /rle\.dcm uses transfer syntax 1\.2\.840\.10008\.1\.2\.5, .*RLE Lossless; make an uncompressed copy with dcmdrle FILE OUT\.dcm .*\(SONO_DICOM_UNSUPPORTED_SYNTAX\)$/,
    );
    expect(r?.err.details).toMatchObject({ file: 'rle.dcm', transferSyntax: '1.2.840.10008.1.2.5' });
    expect(r?.src.health()).toMatchObject({ errors: 1, lastError: expect.stringMatching(/\(SONO_DICOM_UNSUPPORTED_SYNTAX\)$/) });
    run('dcmdrle', at('rle.dcm'), at('unrle.dcm')); // what the message says to do
    expect(await startError({ path: at('unrle.dcm') })).toBeUndefined();
  });

  it('no Rows/Columns (dcmodify -e): SONO_DICOM_NO_IMAGE; more bits than 16: SONO_DICOM_UNSUPPORTED_PIXELS', async () => {
    writeCine(at('rows.dcm'), 2);
    run('dcmodify', '-nb', '-e', 'Rows', '-e', 'Columns', at('rows.dcm'));
    const r = await startError({ path: at('rows.dcm') });
    expect(r?.err.code).toBe(ErrorCodes.DICOM_NO_IMAGE);
    expect(r?.err.message).toMatch(/rows\.dcm holds no image .*choose the image file/);
    writeCine(at('bits.dcm'), 2);
    run('dcmodify', '-nb', '-m', 'BitsAllocated=32', at('bits.dcm'));
    const b = await startError({ path: at('bits.dcm') });
    expect(b?.err.code).toBe(ErrorCodes.DICOM_UNSUPPORTED_PIXELS);
    expect(b?.err.details).toMatchObject({ bitsAllocated: '32' });
  });

  it('fewer frames than Number of Frames, or a copy cut short: SONO_DICOM_TRUNCATED, never played black', async () => {
    writeCine(at('frames.dcm'), 4);
    run('dcmodify', '-nb', '-m', 'NumberOfFrames=10', at('frames.dcm'));
    const r = await startError({ path: at('frames.dcm') });
    expect(r?.err.code).toBe(ErrorCodes.DICOM_TRUNCATED);
    expect(r?.err.details).toMatchObject({ numberOfFrames: 10, pixelBytes: 4 * W * H, neededBytes: 10 * W * H });
    const c = await startError({ path: at('cut.dcm') });
    expect(c?.err.code, 'the cut copy played').toBe(ErrorCodes.DICOM_TRUNCATED);
    expect(c?.err.message).toMatch(/cut\.dcm ends early: its Pixel Data declares 24576 bytes and the file holds 23576 of them \(1000 missing, which would play as black\)\. Copy it again/);
    expect(await startError({ path: at('whole.dcm') })).toBeUndefined();
  });

  it('an img2dcm JPEG image with Frame Time 0 plays at 10 fps with the SONO_DICOM_FRAME_TIME_IGNORED warning in health', async () => {
    await sharp(Buffer.from(new Uint8Array(W * H).map((_, i) => i % 256)), { raw: { width: W, height: H, channels: 1 } })
      .jpeg()
      .toFile(at('gray.jpg'));
    run('img2dcm', at('gray.jpg'), at('sc.dcm')); // JPEG baseline, read through dcmdjpeg
    run('dcmodify', '-nb', '-i', '(0018,1063)=0', at('sc.dcm'));
    const src = new DicomSource('d', { path: at('sc.dcm') });
    await src.start(() => {});
    const h = src.health();
    await src.stop();
    expect([h.state, h.errors]).toEqual(['running', 1]);
    expect(h.lastError).toMatch(/^sc\.dcm: Frame Time 0 ms is not usable \(4\.17–10000 ms\); played at 10 fps; set fps to choose the rate \(SONO_DICOM_FRAME_TIME_IGNORED\)$/);
  });

  it('over the budget: SONO_DICOM_TOO_LARGE; no such path: SONO_DICOM_NO_INPUT; junk: SONO_DICOM_UNREADABLE', async () => {
    writeCine(at('big.dcm'), 4);
    const big = await startError({ path: at('big.dcm'), maxPixelBytes: 1000 });
    expect(big?.err.code).toBe(ErrorCodes.DICOM_TOO_LARGE);
    expect(big?.err.details).toMatchObject({ budgetBytes: 1000, neededBytes: 4 * W * H });
    expect((await startError({ path: at('nope.dcm') }))?.err.code).toBe(ErrorCodes.DICOM_NO_INPUT);
    writeFileSync(at('notes.txt'), 'not a DICOM file');
    const junk = await startError({ path: at('notes.txt') });
    expect(junk?.err.code).toBe(ErrorCodes.DICOM_UNREADABLE);
    expect(junk?.err.message).toMatch(/notes\.txt is not a readable DICOM file.*dcmdump notes\.txt/);
  });

  it('a folder: good files play, each bad one counted in health with its code; all bad for different reasons: SONO_DICOM_NO_INPUT', async () => {
    const folder = at('folder');
    mkdirSync(folder);
    writeCine(join(folder, 'a.dcm'), 2);
    copyFileSync(at('rle.dcm'), join(folder, 'b.dcm'));
    copyFileSync(at('cut.dcm'), join(folder, 'c.dcm'));
    const src = new DicomSource('d', { path: folder });
    await src.start(() => {});
    const h = src.health();
    await src.stop();
    expect([h.state, h.errors]).toEqual(['running', 2]);
    expect(h.lastError).toMatch(/^c\.dcm ends early.*\(SONO_DICOM_TRUNCATED\)$/);
    const bad = at('bad');
    mkdirSync(bad);
    copyFileSync(at('rle.dcm'), join(bad, 'b.dcm'));
    copyFileSync(at('cut.dcm'), join(bad, 'c.dcm'));
    const r = await startError({ path: bad });
    expect(r?.err.code).toBe(ErrorCodes.DICOM_NO_INPUT);
    expect(r?.err.message).toMatch(/2 of its 2 files could not be played, for different reasons/);
    const alike = at('alike');
    mkdirSync(alike);
    copyFileSync(at('rle.dcm'), join(alike, 'b.dcm'));
    copyFileSync(at('rle.dcm'), join(alike, 'b2.dcm'));
    expect((await startError({ path: alike }))?.err.code).toBe(ErrorCodes.DICOM_UNSUPPORTED_SYNTAX);
  });

  describe('PUT /api/source', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp();
      t.runtime.networkPolicy ??= (d) => builtinDrivers().networkPolicy(d);
      t.runtime.config.media.folders.push(dir);
    });
    afterAll(async () => t?.close());

    it('answers SONO_SOURCE_FAILED with the DICOM code and what to do in its message', async () => {
      const r = await t.app.inject({ method: 'PUT', url: '/api/source', payload: { driver: 'dicom', settings: { path: at('rle.dcm') } } });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: ErrorCodes.SOURCE_FAILED, message: expect.stringMatching(/dcmdrle FILE OUT\.dcm .*\(SONO_DICOM_UNSUPPORTED_SYNTAX\)$/) });
    });
  });
});
