/**
 * npm run eval:hc18 -- --images DIR --csv FILE [--split validation|all] [--limit N] [--models-dir DIR] [--json FILE]
 * Runs the shipped model through `sonoedge analyze` (the real CLI), fp32 and int8, and prints HC mean
 * absolute and signed difference (mm), Dice on the filled annotations, overall and per trimester.
 * --models-dir runs the `fetal-head` package of another models folder instead (a candidate being compared),
 * exactly as SONOEDGE_MODELS_DIR would. --json also keeps every image's result, so candidates can be compared
 * image by image.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { packageRoot } from '../src/util/package-root.js';
import { dice, filledAnnotation, isValidationSubject, readHc18Csv, trimesterOf } from '../eval/hc18.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string' },
    csv: { type: 'string' },
    split: { type: 'string', default: 'validation' },
    limit: { type: 'string' },
    json: { type: 'string' },
    'models-dir': { type: 'string' },
  },
});
const root = packageRoot();
const images = values.images ?? join(root, '..', 'shared', 'data', 'hc18', 'training_set');
const csv = values.csv ?? join(root, '..', 'shared', 'data', 'hc18', 'training_set_pixel_size_and_HC.csv');
if (!existsSync(images) || !existsSync(csv)) {
  console.error(`HC18 data not found (${images}, ${csv}); pass --images DIR --csv FILE`);
  process.exit(2);
}
let rows = readHc18Csv(csv).filter((r) => existsSync(join(images, r.filename)));
if (values.split === 'validation') rows = rows.filter((r) => isValidationSubject(r.filename));
if (values.limit) rows = rows.slice(0, Number(values.limit));
const env = values['models-dir'] ? { ...process.env, SONOEDGE_MODELS_DIR: resolve(values['models-dir']) } : process.env;
const cli = existsSync(join(root, 'dist', 'src', 'cli.js')) ? [join(root, 'dist', 'src', 'cli.js')] : ['--import', 'tsx', join(root, 'src', 'cli.ts')];

interface Row {
  file: string;
  hc: number;
  err: number;
  dice: number;
  tri: string;
  inferenceMs: number;
}

async function run(precision: 'fp32' | 'int8'): Promise<Row[]> {
  const masks = mkdtempSync(join(tmpdir(), 'hc18-masks-'));
  try {
    const r = spawnSync(
      process.execPath,
      [...cli, 'analyze', '--model', 'fetal-head', '--provider', 'cpu', '--precision', precision, '--pixel-size-csv', csv, '--mask-dir', masks, ...rows.map((x) => join(images, x.filename))],
      { encoding: 'utf8', maxBuffer: 1 << 28, env },
    );
    if (r.status !== 0) throw new Error(`analyze failed: ${r.stderr}`);
    const out: Row[] = [];
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; hc_mm?: number; timings?: { inference_ms: number } });
    for (const [i, line] of lines.entries()) {
      const ref = rows[i]!;
      const ann = await filledAnnotation(join(images, ref.filename.replace('.png', '_Annotation.png')));
      const pred = await sharp(join(masks, ref.filename.replace('.png', '_pred.png')))
        .greyscale()
        .raw()
        .toBuffer();
      out.push({
        file: ref.filename,
        hc: line.hc_mm ?? 0,
        err: (line.hc_mm ?? 0) - ref.hcMm,
        dice: dice(new Uint8Array(pred), ann.mask),
        tri: trimesterOf(ref.hcMm),
        inferenceMs: line.timings?.inference_ms ?? NaN,
      });
    }
    return out;
  } finally {
    rmSync(masks, { recursive: true, force: true });
  }
}

function summary(rs: Row[]): { n: number; maeMm: number; meanSignedMm: number; dice: number; p50InferenceMs: number } {
  const n = rs.length || 1;
  const inf = rs.map((r) => r.inferenceMs).sort((a, b) => a - b);
  return {
    n: rs.length,
    maeMm: rs.reduce((a, r) => a + Math.abs(r.err), 0) / n,
    meanSignedMm: rs.reduce((a, r) => a + r.err, 0) / n,
    dice: rs.reduce((a, r) => a + r.dice, 0) / n,
    p50InferenceMs: inf[Math.floor(inf.length / 2)] ?? NaN,
  };
}

const fp32 = await run('fp32');
const int8 = await run('int8');
const groups = ['all', 'T1', 'T2', 'T3'] as const;
const table: Record<string, unknown> = {};
console.log(`HC18 ${values.split} images: ${rows.length}`);
console.log('group  n    | fp32 MAE  signed  Dice   | int8 MAE  signed  Dice   | |int8-fp32| mm');
for (const g of groups) {
  const pick = (rs: Row[]): Row[] => (g === 'all' ? rs : rs.filter((r) => r.tri === g));
  const a = summary(pick(fp32));
  const b = summary(pick(int8));
  const agree = pick(fp32).map((r, i) => Math.abs(r.hc - pick(int8)[i]!.hc));
  const agreement = agree.reduce((x, y) => x + y, 0) / (agree.length || 1);
  table[g] = { fp32: a, int8: b, int8VsFp32MeanAbsMm: agreement };
  console.log(
    `${g.padEnd(6)} ${String(a.n).padEnd(4)} | ${a.maeMm.toFixed(2).padStart(8)} ${a.meanSignedMm.toFixed(2).padStart(7)} ${a.dice.toFixed(4)} | ${b.maeMm.toFixed(2).padStart(8)} ${b.meanSignedMm.toFixed(2).padStart(7)} ${b.dice.toFixed(4)} | ${agreement.toFixed(3)}`,
  );
}
console.log(`inference p50 (analyze, 2 threads): fp32 ${summary(fp32).p50InferenceMs.toFixed(2)} ms, int8 ${summary(int8).p50InferenceMs.toFixed(2)} ms`);
const worst = [...fp32].sort((a, b) => Math.abs(b.err) - Math.abs(a.err)).slice(0, 5);
console.log('worst fp32:', worst.map((w) => `${w.file} ${w.err.toFixed(1)} mm`).join(', '));
if (values.json) writeFileSync(values.json, JSON.stringify({ split: values.split, images: rows.length, modelsDir: env.SONOEDGE_MODELS_DIR ?? null, table, perImage: { fp32, int8 } }, null, 2));
