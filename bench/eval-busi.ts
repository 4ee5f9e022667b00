/**
 * npm run eval:busi -- [--dir DIR] [--split FILE|all] [--limit N] [--models-dir DIR] [--json FILE]
 * Runs the shipped breast-lesion model through `sonoedge analyze` (the real CLI, the runtime path the
 * clinic uses), fp32 and int8, and prints side by side: malignant-vs-rest AUC, 3-class accuracy and
 * macro-F1, sensitivity at 90% specificity, lesion Dice and IoU on images with a lesion, the false lesion
 * rate on normal images, ECE of the stated class, and how often each suspicious shape feature and the
 * "consider biopsy referral" alert fire.
 * Default split: models/breast-lesion/validation.txt (`class/NAME.png` lines, masks at NAME_mask.png).
 * --models-dir runs the `breast-lesion` package of another models folder instead (a candidate being compared),
 * exactly as SONOEDGE_MODELS_DIR would (and that variable, set by the caller, still works when the flag is absent).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { packageRoot } from '../src/util/package-root.js';
import { accuracyAndMacroF1, expectedCalibrationError, overlap, rocAuc, sensitivityAtSpecificity } from '../eval/busi-metrics.js';

const CLASSES = ['normal', 'benign', 'malignant'] as const;
const { values } = parseArgs({ options: { dir: { type: 'string' }, split: { type: 'string' }, limit: { type: 'string' }, json: { type: 'string' }, 'models-dir': { type: 'string' } } });
const env = values['models-dir'] ? { ...process.env, SONOEDGE_MODELS_DIR: resolve(values['models-dir']) } : process.env;
const root = packageRoot();
const dir = values.dir ?? join(root, '..', 'shared', 'data', 'busi');
if (!existsSync(dir)) {
  console.error(`BUSI data not found at ${dir}; pass --dir DIR (folders benign/, malignant/, normal/)`);
  process.exit(2);
}
const splitFile = values.split ?? join(root, 'models', 'breast-lesion', 'validation.txt');
let items: Array<{ cls: (typeof CLASSES)[number]; file: string }>;
if (values.split === 'all') {
  const { readdirSync } = await import('node:fs');
  items = CLASSES.flatMap((cls) =>
    readdirSync(join(dir, cls))
      .filter((f) => f.endsWith('.png') && !f.includes('_mask'))
      .sort()
      .map((f) => ({ cls, file: `${cls}/${f}` })),
  );
} else {
  if (!existsSync(splitFile)) {
    console.error(`Split file ${splitFile} not found; pass --split FILE (class/NAME.png lines) or --split all`);
    process.exit(2);
  }
  items = readFileSync(splitFile, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const cls = l.split('/')[0] as (typeof CLASSES)[number];
      if (!CLASSES.includes(cls)) throw new Error(`Split line "${l}" does not start with ${CLASSES.join('/, ')}/`);
      return { cls, file: l };
    });
}
items = items.filter((x) => existsSync(join(dir, x.file)));
if (values.limit) items = items.slice(0, Number(values.limit));
// the sources, not dist/: a stale build would evaluate yesterday's analysis
const cli = ['--import', 'tsx', join(root, 'src', 'cli.ts')];

interface Line {
  file: string;
  error?: string;
  class?: string | null;
  probabilities?: Record<string, number>;
  confidence?: number;
  lesion_present?: boolean;
  lesion?: { orientation: { taller_than_wide: boolean }; margin: { assessment: string } };
  flags?: Array<{ code: string }>;
  timings?: { inference_ms: number };
}
interface Row {
  cls: string;
  line: Line;
  dice?: number;
  iou?: number;
}

async function run(precision: 'fp32' | 'int8'): Promise<Row[]> {
  const masks = mkdtempSync(join(tmpdir(), 'busi-masks-'));
  try {
    const r = spawnSync(process.execPath, [...cli, 'analyze', '--model', 'breast-lesion', '--provider', 'cpu', '--precision', precision, '--mask-dir', masks, ...items.map((x) => join(dir, x.file))], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env,
    });
    if (r.status !== 0) throw new Error(`analyze failed: ${r.stderr}`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const rows: Row[] = [];
    for (const [i, line] of lines.entries()) {
      const it = items[i]!;
      if (line.error) throw new Error(`${it.file}: ${line.error}`);
      const row: Row = { cls: it.cls, line };
      if (it.cls !== 'normal') {
        const truth = await sharp(join(dir, it.file.replace(/\.png$/, '_mask.png')))
          .greyscale()
          .raw()
          .toBuffer();
        const pred = await sharp(join(masks, `${basename(it.file, '.png')}_pred.png`))
          .greyscale()
          .raw()
          .toBuffer();
        Object.assign(
          row,
          overlap(
            new Uint8Array(pred),
            new Uint8Array(truth).map((v) => (v > 127 ? 1 : 0)),
          ),
        );
      }
      rows.push(row);
    }
    return rows;
  } finally {
    rmSync(masks, { recursive: true, force: true });
  }
}

function summary(rows: Row[]): Record<string, number> {
  const pMal = rows.map((r) => r.line.probabilities?.malignant ?? 0);
  const isMal = rows.map((r) => r.cls === 'malignant');
  const cls = accuracyAndMacroF1(
    rows.map((r) => r.cls),
    rows.map((r) => r.line.class ?? null),
    CLASSES,
  );
  const sens = sensitivityAtSpecificity(pMal, isMal, 0.9);
  const lesions = rows.filter((r) => r.dice !== undefined);
  const normals = rows.filter((r) => r.cls === 'normal');
  const inf = rows.map((r) => r.line.timings?.inference_ms ?? NaN).sort((a, b) => a - b);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const featureRate = (c: string, pick: (l: NonNullable<Line['lesion']>) => boolean): number => {
    const rs = rows.filter((r) => r.cls === c && r.line.lesion);
    return rs.filter((r) => pick(r.line.lesion!)).length / (rs.length || 1);
  };
  const alertRate = (c: string): number => {
    const rs = rows.filter((r) => r.cls === c);
    return rs.filter((r) => r.line.flags?.some((f) => f.code === 'suspicious-features')).length / (rs.length || 1);
  };
  return {
    malignantAuc: rocAuc(pMal, isMal),
    accuracy: cls.accuracy,
    macroF1: cls.macroF1,
    sensAt90Spec: sens.sensitivity,
    thresholdAt90Spec: sens.threshold,
    lesionDice: mean(lesions.map((r) => r.dice!)),
    lesionIou: mean(lesions.map((r) => r.iou!)),
    falseLesionRate: normals.filter((r) => r.line.lesion_present).length / (normals.length || 1),
    ece: expectedCalibrationError(
      rows.map((r) => r.line.confidence ?? 0),
      rows.map((r) => r.line.class === r.cls),
    ),
    irregularBenign: featureRate('benign', (l) => l.margin.assessment === 'irregular'),
    irregularMalignant: featureRate('malignant', (l) => l.margin.assessment === 'irregular'),
    tallerBenign: featureRate('benign', (l) => l.orientation.taller_than_wide),
    tallerMalignant: featureRate('malignant', (l) => l.orientation.taller_than_wide),
    alertNormal: alertRate('normal'),
    alertBenign: alertRate('benign'),
    alertMalignant: alertRate('malignant'),
    p50InferenceMs: inf[Math.floor(inf.length / 2)] ?? NaN,
  };
}

const fp32 = await run('fp32');
const int8 = await run('int8');
const a = summary(fp32);
const b = summary(int8);
const counts = CLASSES.map((c) => `${c} ${items.filter((x) => x.cls === c).length}`).join(', ');
console.log(`BUSI ${values.split === 'all' ? 'all images' : `split ${splitFile}`}: ${items.length} images (${counts})`);
const LABELS: Array<[keyof typeof a, string, number]> = [
  ['malignantAuc', 'malignant-vs-rest AUC', 3],
  ['accuracy', '3-class accuracy', 3],
  ['macroF1', '3-class macro-F1', 3],
  ['sensAt90Spec', 'sensitivity at 90% specificity', 3],
  ['thresholdAt90Spec', '  (malignancy threshold there)', 3],
  ['lesionDice', 'lesion Dice (images with a lesion)', 3],
  ['lesionIou', 'lesion IoU (images with a lesion)', 3],
  ['falseLesionRate', 'false lesion rate (normal images)', 3],
  ['ece', 'ECE (stated class, 10 bins)', 3],
  ['irregularBenign', 'irregular margin: benign', 2],
  ['irregularMalignant', 'irregular margin: malignant', 2],
  ['tallerBenign', 'taller-than-wide: benign', 2],
  ['tallerMalignant', 'taller-than-wide: malignant', 2],
  ['alertNormal', '"consider biopsy" alert: normal', 2],
  ['alertBenign', '"consider biopsy" alert: benign', 2],
  ['alertMalignant', '"consider biopsy" alert: malignant', 2],
  ['p50InferenceMs', 'inference p50 (ms)', 2],
];
console.log(`${'measure'.padEnd(38)} ${'fp32'.padStart(8)} ${'int8'.padStart(8)}`);
for (const [k, label, d] of LABELS) console.log(`${label.padEnd(38)} ${a[k]!.toFixed(d).padStart(8)} ${b[k]!.toFixed(d).padStart(8)}`);
const agree = fp32.filter((r, i) => r.line.class === int8[i]!.line.class).length / (fp32.length || 1);
const dMal = fp32.reduce((s, r, i) => s + Math.abs((r.line.probabilities?.malignant ?? 0) - (int8[i]!.line.probabilities?.malignant ?? 0)), 0) / (fp32.length || 1);
console.log(`int8 vs fp32: same class on ${(agree * 100).toFixed(1)}% of images, mean |Δ malignancy probability| ${dMal.toFixed(4)}`);
console.log('targets on validation: malignant AUC ≥ 0.90, lesion Dice ≥ 0.75');
if (values.json)
  writeFileSync(
    values.json,
    JSON.stringify(
      { split: values.split ?? 'validation', images: items.length, modelsDir: env.SONOEDGE_MODELS_DIR ?? null, fp32: a, int8: b, int8VsFp32: { sameClass: agree, meanAbsMalignancyDiff: dMal } },
      null,
      2,
    ),
  );
