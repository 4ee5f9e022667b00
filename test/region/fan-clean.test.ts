/**
 * A fan drawn by a technician cleans more than its bounding rectangle: the rectangle's corners outside the
 * sector (where scanners put depth marks, logos and text) are zeroed in what leaves, through the same path as
 * the PACS copy (region.json → the frame's region → the capture record → Clean Pixel Data in the DICOM image).
 * Also the one per-source JSON store both the regions and the calibrations use: a round trip through the
 * file, an unreadable file kept aside.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CalibrationStore } from '../../src/capture/calibration-store.js';
import { type FanShape, boundsOf, insideShape } from '../../src/capture/region.js';
import { RegionStore } from '../../src/capture/region-store.js';
import { readWords } from '../../src/ocr/tesseract.js';
import { imageOf } from '../../src/ocr/payload-pixels.js';
import { openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { cleanPixels } from '../../src/sync/deidentify.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { US_IMAGE_STORAGE } from '../../src/sync/us-image.js';
import { tempDir } from '../helpers/tmp.js';
import { burnText } from '../ocr/burn-text.js';

const W = 640;
const H = 480;
const FAN: FanShape = { apexX: 320, apexY: 40, innerRadius: 30, outerRadius: 420, startAngleDeg: -35, endAngleDeg: 35 };
const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;

/** A bright sector on black, and a patient's name in the rectangle's top-left corner, outside the sector. */
async function screen(): Promise<Uint8Array> {
  const px = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (insideShape({ fan: FAN }, x, y)) px[y * W + x] = 90 + ((x * 3 + y * 5) % 40);
  return burnText(px, W, H, 'JANE DOE 4711', 100, 80, 18);
}

describe('a fan region cleans its corners', () => {
  const dir = tempDir('sonoedge-fan-');
  const bounds = boundsOf({ fan: FAN }, { width: W, height: H });

  it('the stored fan comes back with the region the frames get, and survives a restart', () => {
    const store = new RegionStore(join(dir, 'region.json'));
    store.set('v4l2:hdmi', { shape: { fan: FAN }, region: bounds, frame: { width: W, height: H }, setBy: 'tech' });
    const again = new RegionStore(join(dir, 'region.json'));
    expect(again.override('v4l2:hdmi')?.region).toEqual({ x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height, origin: 'set', fan: FAN });
    // a rectangle carries no sector
    again.set('usb:probe', { shape: { rect: { x: 10, y: 10, width: 100, height: 100 } }, region: { x: 10, y: 10, width: 100, height: 100 }, frame: { width: W, height: H } });
    expect(new RegionStore(join(dir, 'region.json')).override('usb:probe')?.region).toEqual({ x: 10, y: 10, width: 100, height: 100, origin: 'set' });
  });

  it('Clean Pixel Data zeroes the corners outside the sector and keeps the sector', async () => {
    const px = await screen();
    const rectOnly = cleanPixels(px, W, H, bounds);
    const fanned = cleanPixels(px, W, H, { ...bounds, fan: FAN });
    const nameBox = { x0: 100, y0: 60, x1: 260, y1: 86 };
    const bright = (img: Uint8Array): number => {
      let n = 0;
      for (let y = nameBox.y0; y < nameBox.y1; y++) for (let x = nameBox.x0; x < nameBox.x1; x++) if (img[y * W + x]! > 200) n++;
      return n;
    };
    expect(bright(rectOnly)).toBeGreaterThan(40); // inside the bounding rectangle: the rectangle alone keeps it
    expect(bright(fanned)).toBe(0);
    let kept = 0;
    let sector = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (!insideShape({ fan: FAN }, x, y)) expect(fanned[y * W + x]).toBe(0);
        else if (y >= bounds.y && y < bounds.y + bounds.height) {
          sector++;
          if (fanned[y * W + x] === px[y * W + x]) kept++;
        }
      }
    }
    expect(kept).toBe(sector);
  });

  it.skipIf(!hasTesseract)('a capture on a fan leaves as a DICOM image without the name (tesseract reads none)', async () => {
    const db = openDatabase(join(dir, 'records.db'), 'a'.repeat(64));
    try {
      const store = new ExamStore(db);
      const region = new RegionStore(join(dir, 'region.json')).override('v4l2:hdmi')!.region;
      const exam = store.createExam({ patient: { name: 'DOE^JANE', id: 'MRN-4711' } });
      store.addCapture(exam.id, { frameSeq: 1, width: W, height: H, channels: 1, pixels: await screen(), pixelSpacing: { x: 0.2, y: 0.2 }, region, results: [] }, null);
      const closed = store.closeExam(exam.id, null);
      const images = buildExamInstances(closed, (id) => store.capturePixels(id), { secret: 's', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0', deidentified: true }).filter(
        (i) => i.sopClassUid === US_IMAGE_STORAGE,
      );
      expect(images.length).toBe(2);
      for (const i of images) {
        const img = imageOf(i.bytes);
        expect(img.pixels[70 * W + 120]).toBe(0);
        const words = await readWords(img.pixels, W, H, { timeoutMs: 30_000 });
        expect(words.map((w) => w.text).join(' ')).not.toMatch(/JANE|DOE|4711/);
      }
    } finally {
      db.close();
    }
  });

  it('one per-source store for both: calibrations round-trip, an unreadable file is kept aside with the reason', () => {
    const file = join(dir, 'calibration.json');
    const cal = new CalibrationStore(file);
    cal.set('replay:probe', { calibration: { pixelSpacingMm: 0.25 }, pixelSpacing: { x: 0.25, y: 0.25 }, frame: { width: W, height: H } });
    expect(new CalibrationStore(file).get('replay:probe')).toMatchObject({ pixelSpacing: { x: 0.25, y: 0.25 }, frame: { width: W, height: H } });
    expect(CalibrationStore.keyOf({ driver: 'replay', id: 'probe' })).toBe(RegionStore.keyOf({ driver: 'replay', id: 'probe' }));
    writeFileSync(join(dir, 'region.json'), '{"version": 1, "sources": {"v4l2:hdmi": {"shape": 3}}}');
    const broken = new RegionStore(join(dir, 'region.json'));
    expect(broken.problem).toMatch(/^Region file .* is unreadable, kept as .*\.unreadable; regions start empty: it does not hold/);
    expect(broken.get('v4l2:hdmi')).toBeUndefined();
    expect(existsSync(join(dir, 'region.json.unreadable'))).toBe(true);
    cal.set('replay:probe', undefined);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, sources: {} });
  });
});
