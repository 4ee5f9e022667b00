/**
 * The QA / retraining export (issue 21), end to end: records written through the real stores into a real
 * encrypted SQLite file, `sonoedge qa-export` run as a real process on that data folder, and the folder it
 * wrote opened and checked against what was decided: images cleaned like the PACS copy, the AI's and the
 * clinicians' outlines as masks (each filled in its own coordinates: the AI's pixel-centre, a clinician's
 * pixel-corner; the manifest's final geometry always corner), AI values beside first, second and adjudicated values, model versions; the
 * frame with a name burned inside its region and the grabber frame without a region withheld; no name, id,
 * birth date, clinician or record id anywhere in it, and tesseract reads no name in any exported image; the
 * clinician's own calipers with their points, values and keyed reader ids, in the manifest and the CSV;
 * the export audited; date and exam-type limits; a clinician refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openAccess } from '../../src/access/access.js';
import { fillPolygon, splitXY } from '../../src/analysis/polygon.js';
import { readWords } from '../../src/ocr/tesseract.js';
import { exportQa } from '../../src/qa-export/export.js';
import { keyedId } from '../../src/qa-export/item.js';
import type { QaManifest, QaWithheld } from '../../src/qa-export/layout.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { pseudonym } from '../../src/sync/deidentify.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { AI_ELLIPSE, CALIPERS, CLINICIANS, EDITED_ELLIPSE, H, PHI, PUSHED_OUTLINE, REGION, W, headPicture, writeRecords } from './fixture.js';

async function gray(path: string): Promise<Uint8Array> {
  const meta = await sharp(path).metadata();
  expect([meta.width, meta.height, meta.channels]).toEqual([W, H, 1]); // an 8-bit gray PNG, as HC18's
  const { data } = await sharp(path).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

const OCR = { minChars: 3, minConfidence: 80, timeoutMs: 30_000 };

/** The set pixels of a mask as "x,y" (a failing comparison names the pixels that differ). */
const setPixels = (mask: Uint8Array): Set<string> => new Set([...mask.keys()].filter((i) => mask[i] === 255).map((i) => `${i % W},${Math.floor(i / W)}`));
/** Every pixel of the frame whose (x, y) passes `inside`, as "x,y". */
function pixelsWhere(inside: (x: number, y: number) => boolean): Set<string> {
  const out = new Set<string>();
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inside(x, y)) out.add(`${x},${y}`);
  return out;
}
/**
 * sha256 of the AI head mask (AI_ELLIPSE, pixel-centre) as the export wrote it before session 10's coordinate
 * fix, 9043 pixels: the AI's masks must not move.
 */
const AI_HEAD_MASK_SHA256 = '349ce5aeb6d9cb6252387e6b7f5959d24b9da9f7a74678f144edab335e32673d';

describe('sonoedge qa-export', async () => {
  const dir = tempDir('sonoedge-qa-');
  const db = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'keys', 'records.key'), {}));
  const secret = loadOrCreateKey(join(dir, 'keys', 'device.secret'), {}, 'sonoedge-device-secret');
  const access = openAccess(db, secret);
  await access.users.add('tech-tom', 'technician', 'technician-pass-1');
  await access.users.add('dr-clara', 'clinician', '482913');
  const fx = await writeRecords(db);
  db.close();
  const out = join(dir, 'export-all');
  const run = runCli(['qa-export', '--out', out, '--data-dir', dir, '--by', 'tech-tom'], { CREDENTIALS_DIRECTORY: '' });
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as QaManifest;
  const withheld = JSON.parse(readFileSync(join(out, 'withheld.json'), 'utf8')) as QaWithheld[];
  const itemOf = (examType: string, n: number) => manifest.items.filter((i) => i.examType === examType)[n]!;

  it('runs and says what it wrote', () => {
    expect(run.stderr).toContain('5 exam(s): 4 image(s) written, 2 withheld');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    expect(manifest.counts).toEqual({ exams: 5, items: 4, withheld: 2 });
    expect(manifest.filters).toEqual({ from: null, to: null, examType: null });
  });

  it('withholds the frame with a name inside its region and the frame without a region, and says only why', () => {
    expect(withheld.map((w) => w.code).sort()).toEqual(['SONO_BURNED_IN_TEXT', 'SONO_REGION_NOT_SET']);
    const text = readFileSync(join(out, 'withheld.json'), 'utf8');
    expect(text).not.toMatch(/JANE|DOE|4711/);
    for (const w of withheld) expect(existsSync(join(out, 'obstetric', 'images', `${w.item}.png`))).toBe(false);
  });

  it('writes the corrected exam: the cleaned image, the AI ellipse as a mask, HC as corrected beside the AI value', async () => {
    const corrected = manifest.items.find((i) => i.datingGaWeeks === 21)!;
    expect(corrected.model).toEqual({ id: 'fetal-head', version: '1.2.0', provider: 'cpu' });
    expect(corrected.pixelSpacingMm).toEqual({ x: 0.3, y: 0.3 });
    expect(corrected.imagingRegion).toEqual(REGION);
    const hc = corrected.measurements.find((m) => m.kind === 'hc')!;
    expect(hc).toMatchObject({ state: 'corrected', ai: { value: 175.2 }, final: { value: 178.4 } });
    expect(corrected.measurements.find((m) => m.kind === 'bpd')).toMatchObject({ state: 'confirmed', ai: { value: 48.1 }, final: { value: 48.1 } });
    // HC corrected by its value alone: no final outline is claimed
    expect(corrected.final).toEqual({ source: 'value-only', ellipse: null, outline: null });
    expect(corrected.files.maskFinal).toBeNull();
    const img = await gray(join(out, corrected.files.image));
    const original = headPicture();
    let outside = 0;
    let sameInside = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= REGION.x && y >= REGION.y && x < REGION.x + REGION.width && y < REGION.y + REGION.height;
        if (!inside) outside += img[y * W + x]!;
        else if (img[y * W + x] === original[y * W + x]) sameInside++;
      }
    }
    expect(outside).toBe(0); // the burned name above the region is gone
    expect(sameInside).toBe(REGION.width * REGION.height);
    const mask = await gray(join(out, corrected.files.maskAi!));
    expect(mask[AI_ELLIPSE.cy * W + AI_ELLIPSE.cx]).toBe(255);
    expect(mask[5 * W + 5]).toBe(0);
    const area = mask.reduce((n, v) => n + (v === 255 ? 1 : 0), 0);
    expect(Math.abs(area - Math.PI * AI_ELLIPSE.semiMajor * AI_ELLIPSE.semiMinor) / area).toBeLessThan(0.02);
    // the AI's mask is the one the export always wrote (pixel-centre ellipse), to the pixel
    expect(area).toBe(9043);
    expect(createHash('sha256').update(mask).digest('hex')).toBe(AI_HEAD_MASK_SHA256);
  });

  it('writes the signed exam: confirmed ellipse as the final mask, second reading and adjudication beside the first value', async () => {
    const signed = manifest.items.find((i) => i.datingGaWeeks === 22)!;
    // final geometry is in the corner convention (as the calipers and the SR): the confirmed AI ellipse moved by +0.5;
    // aiResult keeps the model's output as stored (pixel-centre)
    expect(signed.final).toEqual({ source: 'confirmed', ellipse: { ...AI_ELLIPSE, cx: AI_ELLIPSE.cx + 0.5, cy: AI_ELLIPSE.cy + 0.5 }, outline: null });
    expect((signed.aiResult as { ellipse: unknown }).ellipse).toEqual(AI_ELLIPSE);
    const hc = signed.measurements.find((m) => m.kind === 'hc')!;
    expect(hc.final!.value).toBe(175.2);
    expect(hc.secondRead).toMatchObject({ agree: false, value: 181 });
    expect(hc.adjudicated).toMatchObject({ value: 179.5 });
    // the same clinician has the same keyed id wherever they appear, and different clinicians different ones
    expect(hc.adjudicated!.by).toBe(hc.final!.by);
    expect(hc.secondRead!.by).not.toBe(hc.final!.by);
    expect(signed.measurements.find((m) => m.kind === 'bpd')!.secondRead).toMatchObject({ agree: true });
    expect(await gray(join(out, signed.files.maskFinal!))).toEqual(await gray(join(out, signed.files.maskAi!)));
  });

  it('writes the breast exam: the pushed outline as the final mask, the AI outline as the other, the margin re-classed', async () => {
    const b = itemOf('breast', 0);
    expect(b.files.image).toBe(`breast/images/${b.item}.png`);
    expect(b.model).toEqual({ id: 'breast-lesion', version: '0.3.1', provider: 'cpu' });
    expect(b.final).toEqual({ source: 'clinician', ellipse: null, outline: PUSHED_OUTLINE });
    expect(b.measurements.find((m) => m.kind === 'lesion_margin')).toMatchObject({ state: 'corrected', ai: { text: expect.any(String) }, final: { text: 'irregular' } });
    expect(b.measurements.find((m) => m.kind === 'malignancy_probability')).toMatchObject({ state: 'unverified', final: null });
    const final = await gray(join(out, b.files.maskFinal!));
    // the rectangle the clinician pushed, corners 120,60 and 200,200 in page (corner) coordinates: exactly the pixels
    // whose centres it holds, columns 120..199 and rows 60..199 (not column 200, half a pixel outside)
    expect(setPixels(final)).toEqual(pixelsWhere((x, y) => x >= 120 && x <= 199 && y >= 60 && y <= 199));
    const ai = await gray(join(out, b.files.maskAi!));
    expect(ai).not.toEqual(final);
    // the AI's outline filled as stored (pixel-centre), as the export always did
    const aiOutline = (b.aiResult as { lesion: { outline: number[] } }).lesion.outline;
    expect(aiOutline).toEqual(fx.breast.aiOutline);
    const { xs, ys, n } = splitXY(aiOutline);
    const before = new Uint8Array(W * H);
    fillPolygon(xs, ys, n, W, H, before);
    expect(setPixels(ai)).toEqual(setPixels(before));
    // a confirmed caliper's final line is the AI's moved into corner coordinates; ai keeps the stored one
    for (const kind of ['lesion_max_diameter', 'lesion_perpendicular_diameter']) {
      const m = b.measurements.find((m) => m.kind === kind)!;
      const g = m.ai.geometry as { x1: number; y1: number; x2: number; y2: number };
      expect(m.state).toBe('confirmed');
      expect(m.final!.geometry).toEqual({ x1: g.x1 + 0.5, y1: g.y1 + 0.5, x2: g.x2 + 0.5, y2: g.y2 + 0.5 });
    }
    expect(b.measurements.find((m) => m.kind === 'lesion_margin')!.final!.geometry).toEqual({ outline: PUSHED_OUTLINE });
    expect(ai.reduce((n, v) => n + (v === 255 ? 1 : 0), 0)).toBeGreaterThan(200);
    expect(fx.breast.aiOutline.length).toBeGreaterThan(6);
  });

  it('writes the edited head: the clinician\'s ellipse as drawn (corner convention) and its mask at the pixels whose centres it holds', async () => {
    const e = manifest.items.find((i) => i.datingGaWeeks === 23)!;
    expect(e.final).toEqual({ source: 'clinician', ellipse: EDITED_ELLIPSE, outline: null });
    expect(e.measurements.find((m) => m.kind === 'hc')).toMatchObject({ state: 'corrected', final: { value: 66.1, geometry: { ellipse: EDITED_ELLIPSE } } });
    expect(e.measurements.find((m) => m.kind === 'bpd')).toMatchObject({ state: 'confirmed', final: { value: 48.1, geometry: null } });
    const final = await gray(join(out, e.files.maskFinal!));
    // pixel x, y has its centre at x + 0.5, y + 0.5 in the page's coordinates
    const { cx, cy, semiMajor: a, semiMinor: b } = EDITED_ELLIPSE;
    expect(setPixels(final)).toEqual(pixelsWhere((x, y) => ((x + 0.5 - cx) / a) ** 2 + ((y + 0.5 - cy) / b) ** 2 <= 1));
    // centred on the frame's middle corner: the mask mirrors onto itself, columns 120..199 and rows 90..149
    expect([...pixelsWhere((x, y) => final[y * W + x] !== final[(H - 1 - y) * W + (W - 1 - x)])]).toEqual([]);
    const cols = [...setPixels(final)].map((p) => Number(p.split(',')[0]));
    const rows = [...setPixels(final)].map((p) => Number(p.split(',')[1]));
    expect([Math.min(...cols), Math.max(...cols), Math.min(...rows), Math.max(...rows)]).toEqual([120, 199, 90, 149]);
    // the AI mask of the same frame is the one the export always wrote
    expect(createHash('sha256').update(await gray(join(out, e.files.maskAi!))).digest('hex')).toBe(AI_HEAD_MASK_SHA256);
  });

  it("carries the clinician's own calipers: kind, n, points and value as stored, the keyed reader id, no time; [] where none", () => {
    const signed = manifest.items.find((i) => i.datingGaWeeks === 22)!;
    const stored = fx.signed.capture.clinicianMeasurements!;
    expect(stored.map((m) => m.by)).toEqual([CLINICIANS.signer, CLINICIANS.signer]); // the store kept the name
    // the same keyed id the export gives the signer's decisions: a raw name here fails this line
    const signer = keyedId(secret, 'reader-', `reader:${CLINICIANS.signer}`);
    expect(signed.calipers).toEqual([
      { kind: 'distance', n: 1, points: CALIPERS[0]!.points, value: stored[0]!.value, unit: 'mm', by: signer },
      { kind: 'area', n: 1, points: CALIPERS[1]!.points, value: stored[1]!.value, unit: 'mm²', by: signer },
    ]);
    expect(signed.calipers[0]!.value).toBeCloseTo(30, 9); // 60 × 80 px at 0.3 mm: 18 × 24 mm
    expect(signed.calipers[1]!.value).toBeCloseTo(720, 9); // 100 × 80 px at 0.09 mm²
    expect(signed.calipers.map((c) => c.by)).toEqual([signed.measurements.find((m) => m.kind === 'hc')!.final!.by, signer]);
    for (const c of signed.calipers) expect(c.by).toMatch(/^reader-[0-9a-f]{12}$/);
    for (const i of manifest.items.filter((i) => i !== signed)) expect(i.calipers).toEqual([]);
  });

  it('the CSV has one row per measurement with AI and clinicians side by side, then one per caliper', () => {
    const lines = readFileSync(join(out, 'manifest.csv'), 'utf8').trim().split('\r\n');
    const head = lines[0]!.split(',');
    // the columns tools already read keep their names and places; new ones only at the end
    expect(head).toEqual([
      'item', 'exam', 'patient', 'exam_type', 'exam_date', 'dating_ga_weeks', 'image', 'mask_ai', 'mask_final', 'final_outline',
      'pixel_size_x_mm', 'pixel_size_y_mm', 'model_id', 'model_version', 'kind', 'unit', 'state', 'ai_value', 'ai_text',
      'final_value', 'final_text', 'final_by', 'second_agree', 'second_value', 'second_text', 'adjudicated_value', 'adjudicated_text',
      'caliper_n', 'caliper_points', 'record_value', 'record_text', 'second_read_open',
    ]);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    for (const r of rows) expect(Object.keys(r).length).toBe(head.length);
    expect(rows.length).toBe(manifest.items.reduce((n, i) => n + i.measurements.length + i.calipers.length, 0));
    const signed = manifest.items.find((i) => i.datingGaWeeks === 22)!;
    const calipers = rows.filter((r) => r.kind!.startsWith('caliper-'));
    expect(calipers.map((r) => [r.item, r.kind, r.unit, r.state, r.ai_value, r.final_value, r.final_by, r.caliper_n, r.caliper_points])).toEqual([
      [signed.item, 'caliper-distance', 'mm', '', '', String(signed.calipers[0]!.value), signed.calipers[0]!.by, '1', '100.5 80;160.5 160'],
      [signed.item, 'caliper-area', 'mm²', '', '', String(signed.calipers[1]!.value), signed.calipers[1]!.by, '1', '100 60;200 60;200 140;100 140'],
    ]);
    expect(calipers.every((r) => r.image === signed.files.image && r.pixel_size_x_mm === '0.3' && r.exam_date === signed.examDate)).toBe(true);
    expect(rows.filter((r) => !r.kind!.startsWith('caliper-')).every((r) => r.caliper_n === '' && r.caliper_points === '')).toBe(true);
    const hcRows = rows.filter((r) => r.kind === 'hc');
    // final_value stays the signed first decision; the value of record is the adjudicated one
    expect(hcRows.map((r) => [r.ai_value, r.final_value, r.second_value, r.adjudicated_value, r.record_value, r.second_read_open]).sort()).toEqual([
      ['175.2', '175.2', '181', '179.5', '179.5', 'no'],
      ['175.2', '178.4', '', '', '178.4', 'no'],
      ['175.2', '66.1', '', '', '66.1', 'no'],
    ]);
    expect(hcRows.every((r) => r.pixel_size_x_mm === '0.3' && r.model_version === '1.2.0')).toBe(true);
  });

  it('no name, id, birth date, clinician, record id or real exam date anywhere; the patient is the PACS pseudonym', () => {
    const forbidden = [
      PHI.name, 'JANE', PHI.id, PHI.birthDate, '1990-01-01', PHI.breastName, PHI.breastId, 'sonographer-jones',
      ...Object.values(CLINICIANS), 'Alice', 'Stone', 'Osei',
      fx.corrected.exam.id, fx.corrected.capture.id, fx.signed.exam.id, fx.breast.exam.id, fx.breast.capture.id, fx.unset.exam.id,
      fx.edited.exam.id, fx.edited.capture.id,
      ...fx.corrected.capture.measurements.map((m) => m.id),
      ...fx.signed.capture.clinicianMeasurements!.flatMap((m) => [m.id, m.at]),
      '2026-03-02',
    ];
    for (const f of filesUnder(out)) {
      const text = readFileSync(join(out, f)).toString('latin1');
      for (const s of forbidden) expect(text.includes(s), `${s} in ${f}`).toBe(false);
    }
    // the export's own time is today; no exam carries its real date
    const realDate = fx.corrected.exam.createdAt.slice(0, 10);
    expect(JSON.stringify(manifest.items)).not.toContain(realDate);
    expect(readFileSync(join(out, 'manifest.csv'), 'utf8')).not.toContain(realDate);
    expect(new Set(manifest.items.filter((i) => i.examType === 'obstetric').map((i) => i.patient))).toEqual(new Set([pseudonym(secret, PHI.id)]));
    expect(itemOf('breast', 0).patient).toBe(pseudonym(secret, PHI.breastId));
    // dates shifted per patient, as the PACS copy: one patient's two exams keep their distance
    const ob = manifest.items.filter((i) => i.examType === 'obstetric').map((i) => Date.parse(i.examDate!));
    expect(Math.round((Math.max(...ob) - Math.min(...ob)) / 86_400_000)).toBe(Math.round((Date.parse(fx.corrected.exam.createdAt.slice(0, 10)) - Date.parse('2026-03-02')) / 86_400_000));
  });

  it('tesseract reads no name in any exported image', async () => {
    const images = filesUnder(out).filter((f) => f.includes('/images/'));
    expect(images.length).toBe(4);
    for (const f of images) {
      const words = await readWords(await gray(join(out, f)), W, H, { timeoutMs: 30_000 });
      expect(words.map((w) => w.text).join(' ')).not.toMatch(/JANE|DOE|4711/i);
    }
  });

  it('is audited with who, the filters and the counts; a clinician may not export', () => {
    const refused = runCli(['qa-export', '--out', join(dir, 'export-refused'), '--data-dir', dir, '--by', 'dr-clara'], { CREDENTIALS_DIRECTORY: '' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('not an enabled technician or admin account');
    expect(existsSync(join(dir, 'export-refused', 'manifest.json'))).toBe(false);
    const db2 = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'keys', 'records.key'), {}));
    try {
      const rows = openAccess(db2, secret).audit.list({ action: 'qa.export' });
      expect(rows.map((r) => [r.outcome, r.user, r.client]).sort()).toEqual([
        ['failed', 'dr-clara', 'cli'],
        ['ok', 'tech-tom', 'cli'],
      ]);
      expect(rows.find((r) => r.outcome === 'ok')!.details).toMatchObject({ items: 4, withheld: 2, exams: 5, examType: null });
      expect(openAccess(db2, secret).audit.verify().ok).toBe(true);
    } finally {
      db2.close();
    }
  });

  it('limits by date and exam type, and refuses a bad date or a folder in use', async () => {
    const db2 = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'keys', 'records.key'), {}));
    try {
      const o = { secret, dates: 'shift' as const, ocr: OCR, software: 'test' };
      const march = await exportQa(db2, { ...o, outDir: join(dir, 'march'), from: '2026-03-01', to: '2026-03-31' });
      expect([march.exams, march.items, march.withheld.length]).toEqual([1, 1, 0]);
      const breastOnly = await exportQa(db2, { ...o, outDir: join(dir, 'breast'), examType: 'breast' });
      expect([breastOnly.exams, breastOnly.items]).toEqual([1, 1]);
      expect(readdirSync(join(dir, 'breast')).sort()).toEqual(['README.txt', 'breast', 'manifest.csv', 'manifest.json', 'withheld.json']);
      await expect(exportQa(db2, { ...o, outDir: join(dir, 'bad'), from: '2026-3-1' })).rejects.toMatchObject({ code: 'SONO_QA_EXPORT_INVALID' });
      await expect(exportQa(db2, { ...o, outDir: join(dir, 'bad'), from: '2026-04-01', to: '2026-03-01' })).rejects.toMatchObject({ code: 'SONO_QA_EXPORT_INVALID' });
      await expect(exportQa(db2, { ...o, outDir: out })).rejects.toMatchObject({ code: 'SONO_QA_EXPORT_INVALID' });
    } finally {
      db2.close();
    }
  });
});
