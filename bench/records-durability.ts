/**
 * What synchronous=FULL costs on the records database against NORMAL (both WAL, both encrypted as in the
 * daemon): one capture of a 640×480 gray frame with its fetal-head result, then one clinician decision,
 * each its own committed transaction, as the API acknowledges them. Prints a table row per mode; run with
 * `npx tsx bench/records-durability.ts [rounds]` (a bench, never a timed test).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/records/database.js';
import { ExamStore } from '../src/records/exam-store.js';

const rounds = Number(process.argv[2] ?? 200);
const w = 640;
const h = 480;
const pixels = new Uint8Array(w * h).map((_, i) => (i * 7) % 251);
const result = { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1 };

function run(mode: 'FULL' | 'NORMAL'): { captureMs: number[]; decisionMs: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sonoedge-durability-'));
  try {
    const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
    db.pragma(`synchronous = ${mode}`);
    const store = new ExamStore(db);
    let exam = store.createExam({ datingGaWeeks: 21 });
    const captureMs: number[] = [];
    const decisionMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // an exam holds a handful of captures, not hundreds: a new exam every 10
      if (i % 10 === 0 && i > 0) exam = store.createExam({ datingGaWeeks: 21 });
      const t0 = performance.now();
      const c = store.addCapture(
        exam.id,
        {
          frameSeq: i,
          frameTimestampMs: i * 33,
          width: w,
          height: h,
          channels: 1,
          pixels,
          pixelSpacing: { x: 0.2, y: 0.2 },
          region: { x: 0, y: 0, width: w, height: h },
          results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result }],
        },
        'bench',
      );
      const t1 = performance.now();
      store.decide(c.measurements[0]!.id, { decision: 'corrected', value: 180, by: 'bench' });
      const t2 = performance.now();
      captureMs.push(t1 - t0);
      decisionMs.push(t2 - t1);
    }
    db.close();
    return { captureMs, decisionMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
// alternate the modes so a slow phase of the disk or host does not land on one of them only
const runs: Record<string, { captureMs: number[]; decisionMs: number[] }> = { FULL: { captureMs: [], decisionMs: [] }, NORMAL: { captureMs: [], decisionMs: [] } };
for (const mode of ['NORMAL', 'FULL', 'NORMAL', 'FULL'] as const) {
  const r = run(mode);
  runs[mode]!.captureMs.push(...r.captureMs.slice(5)); // the first few warm the page cache
  runs[mode]!.decisionMs.push(...r.decisionMs.slice(5));
}
console.log(`| synchronous | capture p50 / p90 (ms) | decision p50 / p90 (ms) | capture + decision p50 (ms) |  (${rounds} rounds ×2, WAL, SQLCipher, 640×480 gray)`);
for (const [mode, r] of Object.entries(runs)) {
  console.log(
    `| ${mode} | ${q(r.captureMs, 0.5).toFixed(2)} / ${q(r.captureMs, 0.9).toFixed(2)} | ${q(r.decisionMs, 0.5).toFixed(2)} / ${q(r.decisionMs, 0.9).toFixed(2)} | ${(q(r.captureMs, 0.5) + q(r.decisionMs, 0.5)).toFixed(2)} |`,
  );
}
