/** The breast exam's browser tests: BUSI validation images replayed by a real daemon with the lesion model. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';
import { touchDrag } from './touch.js';

export const CHROMIUM = '/usr/bin/chromium';
const root = packageRoot();
export const BUSI = join(root, '..', 'shared', 'data', 'busi');
export const MODELS = process.env.SONOEDGE_MODELS_DIR ?? join(root, 'models');

/** Why the breast browser tests cannot run here (empty: they can). */
export const breastMissing: string[] = [
  [existsSync(CHROMIUM), 'no /usr/bin/chromium'],
  [existsSync(join(MODELS, 'breast-lesion', 'manifest.json')), 'no breast-lesion model package'],
  [existsSync(join(BUSI, 'benign')), `no BUSI data at ${BUSI}`],
].filter(([ok]) => !ok).map(([, why]) => why as string);

/**
 * A few validation images with a lesion, written at one size (a scanner's imaging region does not change
 * frame to frame) to a temp folder for the replay driver (never into the repo).
 */
export async function replayFolder(): Promise<string> {
  const dir = join(tempDir(), 'cine');
  mkdirSync(dir, { recursive: true });
  const split = join(root, 'models', 'breast-lesion', 'validation.txt');
  const lines = existsSync(split) ? readFileSync(split, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('benign/')) : ['benign/benign_1.png'];
  const rows = ['filename,pixel size(mm)'];
  for (const l of lines.slice(0, 3)) {
    const name = l.split('/')[1]!;
    await sharp(join(BUSI, l)).resize(384, 320, { fit: 'fill' }).png().toFile(join(dir, name));
    rows.push(`${name},0.1`);
  }
  writeFileSync(join(dir, '..', 'sizes.csv'), rows.join('\n') + '\n');
  return dir;
}

/** The daemon config of a breast replay: the lesion model every 2nd frame beside the fetal-head model. */
export function breastReplayConfig(cine: string): Record<string, unknown> {
  return {
    source: { driver: 'replay' },
    drivers: { replay: { path: cine, fps: 8, pixelSizeCsv: join(cine, '..', 'sizes.csv') } },
    models: [{ id: 'fetal-head', everyN: 1 }, { id: 'breast-lesion', everyN: 2 }],
    modelsDir: MODELS,
  };
}

type Seg = { x1: number; y1: number; x2: number; y2: number };

/**
 * Pushes the lesion outline under review with a real touch sequence: the outline point farthest from
 * every caliper end, `by` frame pixels away from the outline's centre. Returns the point and its target.
 */
export async function pushOutlineByTouch(context: BrowserContext, page: Page, by: number): Promise<{ k: number; to: [number, number]; calipers: { long: Seg; perp: Seg } }> {
  const g = await page.evaluate(() => {
    const c = document.getElementById('frame') as HTMLCanvasElement;
    const w = window as unknown as { sonoOutline: () => number[]; sonoCalipers: () => { long: Seg; perp: Seg } };
    return { rect: c.getBoundingClientRect().toJSON() as DOMRect, w: c.width, h: c.height, o: w.sonoOutline(), cal: w.sonoCalipers() };
  });
  const n = g.o.length / 2;
  const cx = g.o.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / n;
  const cy = g.o.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0) / n;
  const ends = [g.cal.long, g.cal.perp].flatMap((s) => [[s.x1, s.y1], [s.x2, s.y2]]);
  let k = 0;
  let far = -1;
  for (let j = 0; j < n; j++) {
    const dmin = Math.min(...ends.map(([x, y]) => Math.hypot(g.o[2 * j]! - x!, g.o[2 * j + 1]! - y!)));
    if (dmin > far) {
      far = dmin;
      k = j;
    }
  }
  const [px, py] = [g.o[2 * k]!, g.o[2 * k + 1]!];
  const len = Math.hypot(px - cx, py - cy);
  const to: [number, number] = [px + ((px - cx) / len) * by, py + ((py - cy) / len) * by];
  const toPage = (x: number, y: number): { x: number; y: number } => ({ x: g.rect.left + (x / g.w) * g.rect.width, y: g.rect.top + (y / g.h) * g.rect.height });
  const start = toPage(px, py);
  const end = toPage(to[0], to[1]);
  const cdp = await context.newCDPSession(page);
  await touchDrag(cdp, [start], [end], 6);
  await cdp.detach();
  return { k, to, calipers: g.cal };
}
