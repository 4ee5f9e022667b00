/**
 * `sonoedge analyze` on ultrasound DICOM files made here from a PNG: the pixel size comes from the Sequence of
 * Ultrasound Regions (as the dicom driver reads it), so HC matches the PNG analysed with that pixel size given;
 * the same picture JPEG-compressed (dcmtk's dcmcjpeg, baseline) is read through dcmdjpeg; a file with no
 * pixel size says so.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { writePart10 } from '../../src/sync/dicom-file.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const W = 640;
const H = 480;
const hasDcmcjpeg = spawnSync('dcmcjpeg', ['--version']).status === 0;

function usImage(pixels: Uint8Array, spacingMm: number | undefined): Buffer {
  const study = { studyInstanceUid: newUid(), studyDate: '20260101', studyTime: '120000', studyId: '', accessionNumber: '', patient: { name: 'T', id: 'T', birthDate: '', sex: '' }, deviceSerial: 'x', softwareVersion: '0' };
  return writePart10(buildUsImage(study, {
    seriesInstanceUid: newUid(), seriesNumber: 1, sopInstanceUid: newUid(), instanceNumber: 1, contentDate: '20260101', contentTime: '120000',
    width: W, height: H, pixels, region: { x: 0, y: 0, width: W, height: H }, pixelSpacingMm: spacingMm === undefined ? undefined : { x: spacingMm, y: spacingMm },
    derived: false, seriesDescription: 't', burnedInAnnotation: 'NO',
  }));
}

describe('sonoedge analyze on ultrasound DICOM', () => {
  const dir = tempDir();
  const probe = new SimulatedProbe('p', {});
  const mm = probe.pixelSpacingMm;
  beforeAll(async () => {
    probe.prepare();
    const px = new Uint8Array(W * H);
    probe.render(0, px);
    await sharp(Buffer.from(px), { raw: { width: W, height: H, channels: 1 } }).png().toFile(join(dir, 'head.png'));
    writeFileSync(join(dir, 'head.dcm'), usImage(px, mm));
    writeFileSync(join(dir, 'nosize.dcm'), usImage(px, undefined));
    if (hasDcmcjpeg) {
      const r = spawnSync('dcmcjpeg', ['+eb', join(dir, 'head.dcm'), join(dir, 'head-jpeg.dcm')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('measures HC from the region spacing as on the PNG with the pixel size given; a file without one says so', () => {
    const png = runCli(['analyze', '--model', 'fetal-head', '--pixel-size', String(mm), join(dir, 'head.png')]);
    const dcm = runCli(['analyze', '--model', 'fetal-head', join(dir, 'head.dcm'), join(dir, 'nosize.dcm')]);
    expect(png.status, png.stderr).toBe(0);
    expect(dcm.status, dcm.stderr).toBe(0);
    const p = JSON.parse(png.stdout.trim()) as Record<string, unknown>;
    const [d, none] = dcm.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(typeof p.hc_mm).toBe('number');
    expect(d!.hc_mm).toBe(p.hc_mm);
    expect(d!.ga_weeks).toBe(p.ga_weeks);
    expect(Object.keys(d!).sort()).toEqual(Object.keys(p).sort());
    expect(none!.hc_mm ?? null).toBeNull();
    expect((none!.flags as Array<{ code: string }>).map((f) => f.code)).toContain('no-pixel-spacing');
  }, 120_000);

  it.skipIf(!hasDcmcjpeg)('reads a JPEG baseline file (decompressed by dcmdjpeg) with its region spacing', () => {
    const png = runCli(['analyze', '--model', 'fetal-head', '--pixel-size', String(mm), join(dir, 'head.png')]);
    const jpg = runCli(['analyze', '--model', 'fetal-head', join(dir, 'head-jpeg.dcm')]);
    expect(jpg.status, jpg.stderr).toBe(0);
    const p = JSON.parse(png.stdout.trim()) as { hc_mm: number };
    const j = JSON.parse(jpg.stdout.trim()) as { hc_mm: number; error?: string };
    expect(j.error).toBeUndefined();
    // lossy: the outline may move by a pixel or two, never the scale
    expect(Math.abs(j.hc_mm - p.hc_mm) / p.hc_mm).toBeLessThan(0.03);
  }, 120_000);
});
