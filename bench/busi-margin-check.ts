/**
 * npx tsx bench/busi-margin-check.ts [--dir DIR]
 * Checks the margin thresholds (src/analysis/lesion-shape.ts) on the radiologists' own outlines: every
 * BUSI lesion mask, resized to the model's 288×224 grid like the model's output, traced and measured by
 * the runtime's code. Prints how often benign and malignant outlines are called irregular or taller than
 * wide, and the AUC of (1 − solidity) and (1 − convexity) for malignancy.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ComponentLabeler } from '../src/analysis/components.js';
import { measureLesionShape } from '../src/analysis/lesion-shape.js';
import { OutlineTracer } from '../src/analysis/outline.js';
import { packageRoot } from '../src/util/package-root.js';
import { rocAuc } from '../eval/busi-metrics.js';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
const dir = values.dir ?? join(packageRoot(), '..', 'shared', 'data', 'busi');
if (!existsSync(dir)) {
  console.error(`BUSI data not found at ${dir}; pass --dir DIR`);
  process.exit(2);
}
const rows: Array<{ malignant: boolean; solidity: number; convexity: number; irregular: boolean; tall: boolean }> = [];
for (const cls of ['benign', 'malignant']) {
  for (const f of readdirSync(join(dir, cls))
    .filter((x) => x.endsWith('_mask.png'))
    .sort()) {
    const file = join(dir, cls, f);
    const meta = await sharp(file).metadata();
    const s = Math.min(288 / meta.width!, 224 / meta.height!);
    const w = Math.round(meta.width! * s);
    const h = Math.round(meta.height! * s);
    const map = Float32Array.from(await sharp(file).greyscale().resize(w, h, { kernel: 'linear' }).raw().toBuffer(), (v) => v / 255);
    const lab = new ComponentLabeler(w, h);
    lab.label(map, 0.5);
    const label = lab.largest();
    if (!label) continue;
    const tr = new OutlineTracer(w, h);
    const shape = measureLesionShape(tr.xs, tr.ys, tr.trace(map, lab.labels, label, 0.5), undefined);
    if (shape)
      rows.push({
        malignant: cls === 'malignant',
        solidity: shape.margin.solidity,
        convexity: shape.margin.convexity,
        irregular: shape.margin.assessment === 'irregular',
        tall: shape.orientation.tallerThanWide,
      });
  }
}
const rate = (m: boolean, pick: (r: (typeof rows)[number]) => boolean): string => {
  const rs = rows.filter((r) => r.malignant === m);
  return `${((100 * rs.filter(pick).length) / rs.length).toFixed(0)}% of ${rs.length}`;
};
console.log(`irregular margin: benign ${rate(false, (r) => r.irregular)}, malignant ${rate(true, (r) => r.irregular)}`);
console.log(`taller than wide: benign ${rate(false, (r) => r.tall)}, malignant ${rate(true, (r) => r.tall)}`);
const isM = rows.map((r) => r.malignant);
console.log(
  `AUC for malignancy: 1 − solidity ${rocAuc(
    rows.map((r) => 1 - r.solidity),
    isM,
  ).toFixed(3)}, 1 − convexity ${rocAuc(
    rows.map((r) => 1 - r.convexity),
    isM,
  ).toFixed(3)}`,
);
