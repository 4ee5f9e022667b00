/**
 * A frame that is not ultrasound (a BUSI mask played as a patient frame, issue 18) is told apart from
 * B-mode images: synthetic masks and simulated probe frames always, real BUSI files when the shared data
 * set is present.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { grayLevels, looksLikeMask, notUltrasoundFlag } from '../../src/analysis/image-kind.js';
import { SHARED_DATA } from '../helpers/tmp.js';

const whole = (w: number, h: number): { x: number; y: number; width: number; height: number } => ({ x: 0, y: 0, width: w, height: h });

/** A filled ellipse, 255 on 0, like a BUSI lesion mask. */
function ellipseMask(w: number, h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (((x - w / 2) / (w / 4)) ** 2 + ((y - h / 2) / (h / 5)) ** 2 <= 1) m[y * w + x] = 255;
  return m;
}

async function gray(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

describe('not-ultrasound frames', () => {
  it('a binary mask is flagged, also after JPEG ringing; a uniform image is left to the blank check', async () => {
    const m = ellipseMask(320, 240);
    const g = grayLevels(m, 320, 1, whole(320, 240));
    expect(g.levels).toBe(2);
    expect(looksLikeMask(g)).toBe(true);
    expect(notUltrasoundFlag(g)).toMatchObject({ code: 'not-ultrasound', severity: 'warning' });
    const jpeg = await sharp(Buffer.from(m), { raw: { width: 320, height: 240, channels: 1 } }).jpeg({ quality: 75 }).toBuffer();
    const j = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
    const jg = grayLevels(new Uint8Array(j.data), 320, 1, whole(320, 240));
    expect(jg.levels).toBeGreaterThan(2);
    expect(looksLikeMask(jg)).toBe(true);
    expect(looksLikeMask(grayLevels(new Uint8Array(320 * 240), 320, 1, whole(320, 240)))).toBe(false);
  });

  it('simulated B-mode frames, sector and linear, are not flagged', () => {
    for (const geometry of ['sector', 'linear'] as const) {
      const p = new SimulatedProbe('p', { width: 320, height: 240, geometry });
      p.prepare();
      const buf = new Uint8Array(320 * 240);
      p.render(0, buf);
      expect(looksLikeMask(grayLevels(buf, 320, 1, whole(320, 240)))).toBe(false); // whole frame, black outside the sector included
      expect(looksLikeMask(grayLevels(buf, 320, 1, p.region))).toBe(false);
    }
  });

  const busi = join(SHARED_DATA, 'busi', 'benign');
  it.skipIf(!existsSync(busi))('BUSI: the masks beside the images are flagged, the images are not', async () => {
    const names = readdirSync(busi).filter((f) => /^benign \(\d+\)\.png$|^benign_\d+\.png$/.test(f)).sort().slice(0, 20);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const img = await gray(join(busi, name));
      expect(looksLikeMask(grayLevels(img.data, img.width, 1, whole(img.width, img.height))), name).toBe(false);
      const maskFile = join(busi, name.replace(/\.png$/, '_mask.png'));
      const mask = await gray(maskFile);
      expect(looksLikeMask(grayLevels(mask.data, mask.width, 1, whole(mask.width, mask.height))), maskFile).toBe(true);
    }
  });
});
