/**
 * npx tsx bench/eval-hc18-quality.ts --out FILE [--from N] [--to N] [--precision int8|fp32]
 * Test-time disagreement as a fetal-head measurement-error predictor (issue #22, "Decision support that is
 * measured"). Runs the shipped model through the runtime's own code (the `analyze` command's session,
 * ModelRunner and FetalHeadAnalyzer) on every HC18 image of ../shared/data and on altered views of it:
 *   mirror  the image flipped left-right (same geometry, so the same head should give the same HC),
 *   shift   the imaging region moved 6% of the width to the right (a different resampling grid),
 *   zoom    the imaging region inset 5% on every side (a different scale; may cut a large head),
 *   mirrorShift, mirrorZoom, shiftY  the mirror shifted and zoomed, and the region moved 6% of the height down,
 * and writes, per image, each view's HC (mm), quality and ellipse plus a few map/image measures of the base
 * view (appended to --out as JSON lines, so a run can be done in chunks with --from/--to). The statistics
 * (AUROC against |HC error| > 3 mm, grouped cross-validation on the training subjects, one figure on the
 * held-out ones) are in models/training/quality_tta.py.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Frame } from '../src/capture/frame.js';
import { loadConfig } from '../src/config/load.js';
import { openSessions } from '../src/app/sessions.js';
import { readImageFrame } from '../src/app/analyze/image-input.js';
import { ModelRunner } from '../src/pipeline/model-runner.js';
import { packageRoot } from '../src/util/package-root.js';
import type { FetalHeadResult } from '../src/analysis/fetal-head.js';
import { ellipsePoint } from '../src/analysis/ellipse.js';
import { isValidationSubject, readHc18Csv } from '../eval/hc18.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    from: { type: 'string', default: '0' },
    to: { type: 'string' },
    precision: { type: 'string', default: 'int8' },
  },
});
if (!values.out) {
  console.error('eval-hc18-quality needs --out FILE (JSON lines, appended)');
  process.exit(2);
}
const root = packageRoot();
const hc18 = join(root, '..', 'shared', 'data', 'hc18');
const csv = join(hc18, 'training_set_pixel_size_and_HC.csv');
if (!existsSync(csv)) {
  console.error(`HC18 data not found (${csv})`);
  process.exit(2);
}
const all = readHc18Csv(csv).filter((r) => existsSync(join(hc18, 'training_set', r.filename)));
const rows = all.slice(Number(values.from), values.to ? Number(values.to) : undefined);

const loaded = loadConfig(undefined, {
  overrides: [
    [['models'], [{ id: 'fetal-head', everyN: 1 }]],
    [['inference', 'warmupRuns'], 0],
    [['inference', 'providers'], ['cpu']],
    [['inference', 'precision'], values.precision],
  ],
});
const [session] = await openSessions(loaded, pino({ level: 'warn' }, pino.destination(2)));
const runner = new ModelRunner(session!);

interface View {
  hcMm: number | null;
  quality: number;
  components: Record<string, number>;
  ellipse: FetalHeadResult['ellipse'] | null;
  ms: number;
}

async function view(frame: Frame): Promise<{ v: View; prob: Float32Array; r: FetalHeadResult }> {
  const t0 = performance.now();
  runner.prepare(frame, 0);
  const { outputs } = await runner.run(0);
  const r = runner.analyze(outputs, 0) as FetalHeadResult;
  const ms = performance.now() - t0;
  const prob = Object.values(outputs)[0]!.data as Float32Array;
  return { v: { hcMm: r.detected ? (r.hcMm ?? null) : null, quality: r.quality.score, components: { ...r.quality.components }, ellipse: r.ellipse ?? null, ms }, prob, r };
}

function mirrored(f: Frame): Frame {
  const d = new Uint8Array(f.data.length);
  for (let y = 0; y < f.height; y++) {
    const o = y * f.width;
    for (let x = 0; x < f.width; x++) d[o + x] = f.data[o + f.width - 1 - x]!;
  }
  return { ...f, data: d };
}

/** Mean gray level just inside minus just outside the fitted ellipse (skull echo vs surroundings), and the share of the ellipse outside the frame. */
function boundaryMeasures(f: Frame, e: NonNullable<FetalHeadResult['ellipse']>): { contrast: number; outside: number } {
  const a = e.semiMajor;
  const b = e.semiMinor;
  const ang = (e.angleDeg * Math.PI) / 180;
  let inS = 0;
  let outS = 0;
  let n = 0;
  let outside = 0;
  const N = 180;
  const at = (x: number, y: number): number | undefined => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    return xi >= 0 && yi >= 0 && xi < f.width && yi < f.height ? f.data[yi * f.width + xi] : undefined;
  };
  for (let k = 0; k < N; k++) {
    const t = (2 * Math.PI * k) / N;
    const [x, y] = ellipsePoint({ cx: e.cx, cy: e.cy, a, b, angle: ang }, t);
    if (x < 0 || y < 0 || x > f.width - 1 || y > f.height - 1) {
      outside++;
      continue;
    }
    const dx = x - e.cx;
    const dy = y - e.cy;
    const r = Math.hypot(dx, dy) || 1;
    const d = Math.max(2, 0.04 * r);
    const vi = at(x - (dx / r) * d, y - (dy / r) * d);
    const vo = at(x + (dx / r) * d, y + (dy / r) * d);
    const vb = at(x, y);
    if (vi === undefined || vo === undefined || vb === undefined) continue;
    inS += vb - vi;
    outS += vb - vo;
    n++;
  }
  return { contrast: n ? (inS + outS) / (2 * n) : 0, outside: outside / N };
}

/** Width of the uncertain band (0.1 < p < 0.9) and the mean |2p−1| over it and the whole map. */
function mapMeasures(p: Float32Array): { band: number; certainty: number } {
  let band = 0;
  let cert = 0;
  for (const v of p) {
    if (v > 0.1 && v < 0.9) band++;
    cert += Math.abs(2 * v - 1);
  }
  return { band, certainty: cert / p.length };
}

const t0 = performance.now();
for (const [i, row] of rows.entries()) {
  const file = join(hc18, 'training_set', row.filename);
  const { frame } = await readImageFrame(file, { x: row.pixelMm, y: row.pixelMm }, i);
  const base = await view(frame);
  const mirror = await view(mirrored(frame));
  const dx = Math.round(0.06 * frame.width);
  const shift = await view({ ...frame, region: { x: dx, y: 0, width: frame.width - dx, height: frame.height } });
  const ix = Math.round(0.05 * frame.width);
  const iy = Math.round(0.05 * frame.height);
  const zoom = await view({ ...frame, region: { x: ix, y: iy, width: frame.width - 2 * ix, height: frame.height - 2 * iy } });
  const flipped = mirrored(frame);
  const mirrorShift = await view({ ...flipped, region: { x: dx, y: 0, width: frame.width - dx, height: frame.height } });
  const mirrorZoom = await view({ ...flipped, region: { x: ix, y: iy, width: frame.width - 2 * ix, height: frame.height - 2 * iy } });
  const dy = Math.round(0.06 * frame.height);
  const shiftY = await view({ ...frame, region: { x: 0, y: dy, width: frame.width, height: frame.height - dy } });
  const extra = base.r.ellipse ? boundaryMeasures(frame, base.r.ellipse) : { contrast: 0, outside: 1 };
  appendFileSync(
    values.out,
    JSON.stringify({
      file: row.filename,
      subject: /^(\d+)_/.exec(row.filename)![1],
      heldOut: isValidationSubject(row.filename),
      refMm: row.hcMm,
      pixelMm: row.pixelMm,
      width: frame.width,
      height: frame.height,
      base: base.v,
      mirror: mirror.v,
      shift: shift.v,
      zoom: zoom.v,
      mirrorShift: mirrorShift.v,
      mirrorZoom: mirrorZoom.v,
      shiftY: shiftY.v,
      ...extra,
      ...mapMeasures(base.prob),
      flags: base.r.flags.map((f) => f.code),
    }) + '\n',
  );
  if ((i + 1) % 50 === 0) console.error(`${i + 1}/${rows.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
await session!.release();
