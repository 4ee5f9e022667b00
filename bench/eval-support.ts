/**
 * npx tsx bench/eval-support.ts [--precision int8|fp32] [--json FILE] [--svg-dir DIR] [--reuse FILE]
 * Measures the decision support through the runtime (`sonoedge analyze`, the real CLI), issue #22:
 * - HC18 held-out subjects (the fetal-head split's 117 validation images of 96 subjects; the shipped weights
 *   are the last epoch's, so these images chose nothing): does the quality score predict an HC error above
 *   3 mm? AUROC with a subject-clustered bootstrap interval, the ROC curve, the Youden threshold, the
 *   best-frame pick within a subject, and per-subgroup figures (trimester, head size).
 * - BUSI validation groups (models/breast-lesion/validation.txt): does the stated-class probability predict
 *   a bad result (wrong class, or lesion Dice < 0.5, or an outline on a normal image)? Same figures, a
 *   2-fold check of the threshold (chosen on one half, measured on the other), and subgroups (class, lesion
 *   size, image shape).
 * --hc-split training runs the fetal-head part on the 736 training images instead (where a score or rule is
 * chosen, so that the held-out subjects only measure it).
 * --svg-dir writes fetal-head-quality-roc.svg and breast-lesion-confidence-roc.svg there; --reuse reads the
 * per-image rows of an earlier --json instead of running the models again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { packageRoot } from '../src/util/package-root.js';
import { overlap } from '../eval/busi-metrics.js';
import { dice, filledAnnotation, isValidationSubject, readHc18Csv, trimesterOf } from '../eval/hc18.js';
import { POOR_QUALITY_BELOW } from '../src/analysis/quality.js';
import { LOW_CONFIDENCE } from '../src/analysis/breast-lesion.js';
import { type Interval, atThreshold, aurocInterval, bootstrap, fmtInterval, meanOf, rocCurve, rocSvg, youdenPoint } from '../eval/support-metrics.js';

const { values } = parseArgs({
  options: {
    precision: { type: 'string', default: 'int8' },
    json: { type: 'string' },
    'svg-dir': { type: 'string' },
    reuse: { type: 'string' },
    'hc-split': { type: 'string', default: 'validation' },
  },
});
const root = packageRoot();
const hc18 = join(root, '..', 'shared', 'data', 'hc18');
const busi = join(root, '..', 'shared', 'data', 'busi');
const cli = ['--import', 'tsx', join(root, 'src', 'cli.ts')];
const precision = values.precision!;
/** The bar for a bad head measurement, from the issue: |HC error| above 3 mm. */
const HC_BAD_MM = 3;
/** The bar for a bad lesion outline: Dice below 0.5 (less than half the lesion's area in common). */
const DICE_BAD = 0.5;

interface HcRow {
  file: string;
  subject: string;
  refMm: number;
  pixelMm: number;
  detected: boolean;
  hcMm: number;
  hcPx: number;
  err: number;
  dice: number;
  tri: string;
  quality: number;
  components: Record<string, number>;
  flags: string[];
}
interface BusiRow {
  file: string;
  cls: string;
  pred: string | null;
  confidence: number;
  maskConfidence: number;
  lesionPresent: boolean;
  dice?: number;
  lesionFraction: number;
  width: number;
  height: number;
  flags: string[];
}

/** `sonoedge analyze` over the files, 120 at a time (one process per chunk keeps each run's memory small). */
function analyze(model: string, files: string[], extra: string[], masks: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let k = 0; k < files.length; k += 120) {
    const chunk = files.slice(k, k + 120);
    const r = spawnSync(process.execPath, [...cli, 'analyze', '--model', model, '--provider', 'cpu', '--precision', precision, '--mask-dir', masks, ...extra, ...chunk], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(`analyze failed (status ${r.status}, signal ${r.signal}, ${r.error?.message ?? 'no spawn error'}): ${r.stderr}`);
    out.push(
      ...r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
  }
  return out;
}

async function runHc18(): Promise<HcRow[]> {
  const csv = join(hc18, 'training_set_pixel_size_and_HC.csv');
  const want = values['hc-split'] === 'training' ? false : true;
  const rows = readHc18Csv(csv).filter((r) => isValidationSubject(r.filename) === want && existsSync(join(hc18, 'training_set', r.filename)));
  const masks = mkdtempSync(join(tmpdir(), 'support-hc18-'));
  try {
    const lines = analyze(
      'fetal-head',
      rows.map((r) => join(hc18, 'training_set', r.filename)),
      ['--pixel-size-csv', csv],
      masks,
    );
    const out: HcRow[] = [];
    for (const [i, l] of lines.entries()) {
      const ref = rows[i]!;
      const ann = await filledAnnotation(join(hc18, 'training_set', ref.filename.replace('.png', '_Annotation.png')));
      const predFile = join(masks, ref.filename.replace('.png', '_pred.png'));
      const pred = existsSync(predFile) ? new Uint8Array(await sharp(predFile).greyscale().raw().toBuffer()) : new Uint8Array(ann.mask.length);
      const q = l.quality as { score: number; components: Record<string, number> };
      const hcMm = (l.hc_mm as number | undefined) ?? 0;
      out.push({
        file: ref.filename,
        subject: /^(\d+)_/.exec(ref.filename)![1]!,
        refMm: ref.hcMm,
        pixelMm: ref.pixelMm,
        detected: Boolean(l.detected),
        hcMm,
        hcPx: (l.hc_px as number | undefined) ?? 0,
        err: hcMm - ref.hcMm,
        dice: dice(pred, ann.mask),
        tri: trimesterOf(ref.hcMm),
        quality: q.score,
        components: q.components,
        flags: (l.flags as Array<{ code: string }>).map((f) => f.code),
      });
    }
    return out;
  } finally {
    rmSync(masks, { recursive: true, force: true });
  }
}

async function runBusi(): Promise<BusiRow[]> {
  const items = readFileSync(join(root, 'models', 'breast-lesion', 'validation.txt'), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && existsSync(join(busi, l)));
  const masks = mkdtempSync(join(tmpdir(), 'support-busi-'));
  try {
    const lines = analyze(
      'breast-lesion',
      items.map((f) => join(busi, f)),
      [],
      masks,
    );
    const out: BusiRow[] = [];
    for (const [i, l] of lines.entries()) {
      const file = items[i]!;
      const cls = file.split('/')[0]!;
      const { data, info } = await sharp(join(busi, file.replace(/\.png$/, '_mask.png')))
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const truth = new Uint8Array(data).map((v) => (v > 127 ? 1 : 0));
      const lesionFraction = truth.reduce((a, v) => a + v, 0) / truth.length;
      const row: BusiRow = {
        file,
        cls,
        pred: (l.class as string | null) ?? null,
        confidence: (l.confidence as number) ?? 0,
        maskConfidence: (l.mask_confidence as number) ?? 0,
        lesionPresent: Boolean(l.lesion_present),
        lesionFraction,
        width: info.width,
        height: info.height,
        flags: (l.flags as Array<{ code: string }>).map((f) => f.code),
      };
      if (cls !== 'normal') {
        const pred = await sharp(join(masks, `${basename(file, '.png')}_pred.png`))
          .greyscale()
          .raw()
          .toBuffer();
        row.dice = overlap(new Uint8Array(pred), truth).dice;
      }
      out.push(row);
    }
    return out;
  } finally {
    rmSync(masks, { recursive: true, force: true });
  }
}

const reused = values.reuse ? (JSON.parse(readFileSync(values.reuse, 'utf8')) as { hc: HcRow[]; busi: BusiRow[] }) : undefined;
const hc = reused?.hc ?? (await runHc18());
const bu = reused?.busi ?? (await runBusi());
if (values.json) writeFileSync(values.json, JSON.stringify({ precision, hc, busi: bu }, null, 1));

const ci = (i: Interval, d = 2): string => fmtInterval(i, d);
const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

// ---------------------------------------------------------------- fetal head: quality vs error
const hcBad = (r: HcRow): boolean => !r.detected || Math.abs(r.err) > HC_BAD_MM;
const badness = (r: HcRow): number => 1 - r.quality;
const bySubject = (r: HcRow): string => r.subject;
console.log(`\n## Fetal head (${precision}), HC18 held-out subjects: ${hc.length} images, ${new Set(hc.map(bySubject)).size} subjects; |error| > ${HC_BAD_MM} mm: ${hc.filter(hcBad).length}`);
const auc = aurocInterval(hc, badness, hcBad, bySubject);
console.log(`AUROC of (1 − quality) for |HC error| > ${HC_BAD_MM} mm: ${ci(auc)} (95% bootstrap, subjects resampled)`);
for (const k of Object.keys(hc[0]!.components)) {
  console.log(`  component ${k}: AUROC ${ci(aurocInterval(hc, (r) => 1 - r.components[k]!, hcBad, bySubject))}`);
}
console.log(
  `  flagged by any warning today: ${hc.filter((r) => r.flags.length > 0).length}; |HC error| vs quality, Spearman-free check: mean |error| quality ≥ median ${meanOf(hc.filter((r) => r.quality >= median(hc.map((x) => x.quality))).map((r) => Math.abs(r.err))).toFixed(2)} mm, below ${meanOf(hc.filter((r) => r.quality < median(hc.map((x) => x.quality))).map((r) => Math.abs(r.err))).toFixed(2)} mm`,
);
const hcScores = hc.map(badness);
const hcPos = hc.map(hcBad);
const yHc = youdenPoint(hcScores, hcPos);
console.log(`Youden point: quality < ${(1 - yHc.threshold).toFixed(3)} flags ${pct(yHc.tpr)} of bad and ${pct(yHc.fpr)} of good results`);
console.log('| quality below | bad flagged (sensitivity) | good flagged | images flagged |\n|---|---|---|---|');
for (const q of [0.5, POOR_QUALITY_BELOW, 0.7, 0.8, 0.85, 0.9, 1 - yHc.threshold + 1e-9]) {
  // flagged: quality < q, i.e. 1 − quality > 1 − q
  const a = atThreshold(hcScores, hcPos, 1 - q + 1e-12);
  const flagged = hc.filter((r) => r.quality < q);
  console.log(
    `| ${q.toFixed(3)}${q === POOR_QUALITY_BELOW ? ' (wired)' : ''} | ${pct(a.sensitivity)} | ${pct(1 - a.specificity)} | ${pct(a.flagged)} (${flagged.length}; ${flagged.filter(hcBad).length} bad) |`,
  );
}
const thrHc = bootstrap(hc, (s) => 1 - youdenPoint(s.map(badness), s.map(hcBad)).threshold, { cluster: bySubject });
console.log(`Youden threshold's own bootstrap interval: ${ci(thrHc, 3)}`);
// best-frame pick: within subjects with several frames, is the highest-quality frame the better measurement?
const subjects = [...new Set(hc.map(bySubject))].map((s) => hc.filter((r) => r.subject === s)).filter((g) => g.length > 1);
let wins = 0;
const deltas: number[] = [];
for (const g of subjects) {
  const best = [...g].sort((a, b) => b.quality - a.quality)[0]!;
  const others = g.filter((r) => r !== best);
  const d = Math.abs(best.err) - meanOf(others.map((r) => Math.abs(r.err)));
  deltas.push(d);
  if (d < 0) wins++;
}
console.log(
  `best-frame pick: ${subjects.length} subjects with ≥ 2 frames; the highest-quality frame has the smaller |error| in ${wins}; mean |error| of the pick minus the others' ${meanOf(deltas).toFixed(2)} mm`,
);

console.log('\n| subgroup | n (subjects) | HC MAE mm (95% CI) | mean signed mm | Dice (95% CI) | |error| > 3 mm | AUROC quality (95% CI) |\n|---|---|---|---|---|---|---|');
const hcGroup = (name: string, rs: HcRow[]): void => {
  if (rs.length === 0) return;
  const mae = bootstrap(rs, (s) => meanOf(s.map((r) => Math.abs(r.err))), { cluster: bySubject });
  const dc = bootstrap(rs, (s) => meanOf(s.map((r) => r.dice)), { cluster: bySubject });
  const a = rs.some(hcBad) && !rs.every(hcBad) ? ci(aurocInterval(rs, badness, hcBad, bySubject)) : '–';
  console.log(`| ${name} | ${rs.length} (${new Set(rs.map(bySubject)).size}) | ${ci(mae)} | ${meanOf(rs.map((r) => r.err)).toFixed(2)} | ${ci(dc, 4)} | ${rs.filter(hcBad).length} | ${a} |`);
};
hcGroup('all', hc);
for (const t of ['T1', 'T2', 'T3'])
  hcGroup(
    `trimester ${t}`,
    hc.filter((r) => r.tri === t),
  );
for (const [lo, hi] of [
  [0, 150],
  [150, 250],
  [250, 400],
] as const)
  hcGroup(
    `HC ${lo}–${hi} mm`,
    hc.filter((r) => r.refMm >= lo && r.refMm < hi),
  );
const px = [...hc.map((r) => r.refMm / r.pixelMm)].sort((a, b) => a - b);
const [p33, p67] = [px[Math.floor(px.length / 3)]!, px[Math.floor((2 * px.length) / 3)]!];
hcGroup(
  `head on screen < ${p33.toFixed(0)} px HC`,
  hc.filter((r) => r.refMm / r.pixelMm < p33),
);
hcGroup(
  `head on screen ${p33.toFixed(0)}–${p67.toFixed(0)} px`,
  hc.filter((r) => r.refMm / r.pixelMm >= p33 && r.refMm / r.pixelMm < p67),
);
hcGroup(
  `head on screen ≥ ${p67.toFixed(0)} px`,
  hc.filter((r) => r.refMm / r.pixelMm >= p67),
);
hcGroup(
  'pixel ≥ 0.15 mm (zoomed out)',
  hc.filter((r) => r.pixelMm >= 0.15),
);
hcGroup(
  'pixel < 0.15 mm',
  hc.filter((r) => r.pixelMm < 0.15),
);

// ---------------------------------------------------------------- breast lesion: confidence vs bad result
const buBad = (r: BusiRow): boolean => r.pred !== r.cls || (r.cls === 'normal' ? r.lesionPresent : (r.dice ?? 0) < DICE_BAD);
const buScore = (r: BusiRow): number => 1 - r.confidence;
console.log(`\n## Breast lesion (${precision}), BUSI validation groups: ${bu.length} images; bad (wrong class, or Dice < ${DICE_BAD}, or an outline on a normal image): ${bu.filter(buBad).length}`);
const aucB = aurocInterval(bu, buScore, buBad);
console.log(`AUROC of (1 − stated-class probability) for a bad result: ${ci(aucB)}`);
console.log(`  for a wrong class alone: ${ci(aurocInterval(bu, buScore, (r) => r.pred !== r.cls))}`);
const les = bu.filter((r) => r.cls !== 'normal');
console.log(
  `  (1 − mask confidence) for Dice < ${DICE_BAD} on lesion images (n ${les.length}, ${les.filter((r) => (r.dice ?? 0) < DICE_BAD).length} bad): ${ci(
    aurocInterval(
      les,
      (r) => 1 - r.maskConfidence,
      (r) => (r.dice ?? 0) < DICE_BAD,
    ),
  )}`,
);
const combined = (r: BusiRow): number => 1 - Math.min(r.confidence, r.lesionPresent ? r.maskConfidence : 1);
console.log(`  1 − min(class probability, mask confidence) for a bad result: ${ci(aurocInterval(bu, combined, buBad))}`);
const yB = youdenPoint(bu.map(buScore), bu.map(buBad));
console.log(`Youden point: stated-class probability < ${(1 - yB.threshold).toFixed(3)} flags ${pct(yB.tpr)} of bad and ${pct(yB.fpr)} of good results`);
console.log('| probability below | bad flagged (sensitivity) | good flagged | images flagged |\n|---|---|---|---|');
for (const q of [0.5, 0.6, 0.7, LOW_CONFIDENCE, 0.9]) {
  const a = atThreshold(bu.map(buScore), bu.map(buBad), 1 - q + 1e-12);
  const flagged = bu.filter((r) => r.confidence < q);
  const rest = bu.filter((r) => r.confidence >= q);
  console.log(
    `| ${q.toFixed(3)}${q === LOW_CONFIDENCE ? ' (wired)' : ''} | ${pct(a.sensitivity)} | ${pct(1 - a.specificity)} | ${pct(a.flagged)}: ${flagged.filter(buBad).length} of ${flagged.length} flagged are bad, ${rest.filter(buBad).length} of ${rest.length} unflagged |`,
  );
}
const flaggedNow = bu.filter((r) => r.flags.includes('low-confidence'));
console.log(`runtime's own flag in this run: low-confidence on ${flaggedNow.length} images (${flaggedNow.filter(buBad).length} bad)`);
console.log(
  `Youden threshold's bootstrap interval: ${ci(
    bootstrap(bu, (s) => 1 - youdenPoint(s.map(buScore), s.map(buBad)).threshold),
    3,
  )}`,
);
// 2-fold: threshold chosen on one half (by file-name hash), measured on the other
const half = (r: BusiRow): number => createHash('sha256').update(r.file).digest()[0]! & 1;
for (const h of [0, 1]) {
  const fit = bu.filter((r) => half(r) === h);
  const test = bu.filter((r) => half(r) !== h);
  const t = youdenPoint(fit.map(buScore), fit.map(buBad)).threshold;
  const a = atThreshold(test.map(buScore), test.map(buBad), t);
  console.log(
    `2-fold: threshold ${(1 - t).toFixed(3)} chosen on ${fit.length} images flags ${pct(a.sensitivity)} of the other ${test.length}'s bad and ${pct(1 - a.specificity)} of their good results`,
  );
}

console.log('\n| subgroup | n | accuracy (95% CI) | lesion Dice (95% CI) | malignant found (argmax) | bad results | AUROC confidence (95% CI) |\n|---|---|---|---|---|---|---|');
const buGroup = (name: string, rs: BusiRow[]): void => {
  if (rs.length === 0) return;
  const acc = bootstrap(rs, (s) => meanOf(s.map((r) => (r.pred === r.cls ? 1 : 0))));
  const lr = rs.filter((r) => r.dice !== undefined);
  const dc = lr.length
    ? ci(
        bootstrap(lr, (s) => meanOf(s.map((r) => r.dice!))),
        3,
      )
    : '–';
  const mal = rs.filter((r) => r.cls === 'malignant');
  const a = rs.some(buBad) && !rs.every(buBad) ? ci(aurocInterval(rs, buScore, buBad)) : '–';
  console.log(`| ${name} | ${rs.length} | ${ci(acc)} | ${dc} | ${mal.length ? `${mal.filter((r) => r.pred === 'malignant').length}/${mal.length}` : '–'} | ${rs.filter(buBad).length} | ${a} |`);
};
buGroup('all', bu);
for (const c of ['normal', 'benign', 'malignant'])
  buGroup(
    `class ${c}`,
    bu.filter((r) => r.cls === c),
  );
const fr = les.map((r) => r.lesionFraction).sort((a, b) => a - b);
const [f33, f67] = [fr[Math.floor(fr.length / 3)]!, fr[Math.floor((2 * fr.length) / 3)]!];
buGroup(
  `lesion < ${pct(f33)} of the image`,
  les.filter((r) => r.lesionFraction < f33),
);
buGroup(
  `lesion ${pct(f33)}–${pct(f67)}`,
  les.filter((r) => r.lesionFraction >= f33 && r.lesionFraction < f67),
);
buGroup(
  `lesion ≥ ${pct(f67)}`,
  les.filter((r) => r.lesionFraction >= f67),
);
const aspect = (r: BusiRow): number => r.width / r.height;
buGroup(
  'image aspect 1.15–1.25 (the common 384×~320 frame)',
  bu.filter((r) => aspect(r) >= 1.15 && aspect(r) < 1.25),
);
buGroup(
  'image aspect ≥ 1.25 (wider frame)',
  bu.filter((r) => aspect(r) >= 1.25),
);
buGroup(
  'image aspect < 1.15 (squarer or taller)',
  bu.filter((r) => aspect(r) < 1.15),
);
buGroup(
  'long side < 384 px (smaller original)',
  bu.filter((r) => Math.max(r.width, r.height) < 384),
);

if (values['svg-dir']) {
  const dir = values['svg-dir'];
  writeFileSync(
    join(dir, 'fetal-head-quality-roc.svg'),
    rocSvg(
      rocCurve(hcScores, hcPos),
      yHc,
      `fetal-head ${precision}: quality score vs |HC error| > ${HC_BAD_MM} mm`,
      `HC18 held-out, n ${hc.length}, ${hcPos.filter(Boolean).length} bad; AUROC ${ci(auc)}; dot: quality < ${(1 - yHc.threshold).toFixed(2)}`,
    ),
  );
  writeFileSync(
    join(dir, 'breast-lesion-confidence-roc.svg'),
    rocSvg(
      rocCurve(bu.map(buScore), bu.map(buBad)),
      yB,
      `breast-lesion ${precision}: class probability vs bad result`,
      `BUSI validation, n ${bu.length}, ${bu.filter(buBad).length} bad; AUROC ${ci(aucB)}; dot: p < ${(1 - yB.threshold).toFixed(2)}`,
    ),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
