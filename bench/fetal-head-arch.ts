/**
 * npx tsx bench/fetal-head-arch.ts [--rounds 10] [--runs 20] [--threads 2] [--json FILE] NAME=MODELS_DIR ...
 *
 * CPU latency of fetal-head candidates side by side (issue #4: choose input size and architecture by
 * measurement). Every package's fp32 and int8 (u8 QDQ) file is opened through the runtime's own
 * openModelSession in ONE process and run in interleaved rounds — each round runs every file `runs` times,
 * in a rotated order — so load drift on a shared machine weighs on all of them alike. The first NAME is the
 * reference the ratios are given against; `shipped=models` is the bundled package.
 * Each MODELS_DIR holds a `fetal-head/` package (manifest.json + files), as SONOEDGE_MODELS_DIR would.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ModelSession, openModelSession } from '../src/inference/session.js';
import { findModelPackage } from '../src/models/package.js';
import { percentile } from './stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '10' }, runs: { type: 'string', default: '20' }, threads: { type: 'string', default: '2' }, json: { type: 'string' } },
});
if (positionals.length === 0) {
  console.error('usage: npx tsx bench/fetal-head-arch.ts [--rounds N] [--runs N] [--threads N] [--json FILE] NAME=MODELS_DIR ...');
  process.exit(2);
}
const rounds = Number(values.rounds);
const runs = Number(values.runs);
const threads = Number(values.threads);

interface Entry {
  name: string;
  precision: 'fp32' | 'int8';
  input: string;
  session: ModelSession;
  times: number[];
}

const entries: Entry[] = [];
for (const arg of positionals) {
  const [name, dir] = arg.split('=');
  if (!name || !dir) throw new Error(`expected NAME=MODELS_DIR, got "${arg}"`);
  const pkg = findModelPackage(resolve(dir), 'fetal-head');
  const [, , h, w] = pkg.manifest.input.shape;
  for (const precision of ['fp32', 'int8'] as const) {
    const session = await openModelSession(pkg, { providers: ['cpu'], precision, intraOpThreads: threads, allowSpinning: false, warmupRuns: 3, deviceId: 0, tensorrt: { fp16: false, int8: false } });
    // A fixed speckle-like pattern: the same content for every file (CPU conv cost does not depend on it).
    for (const buf of session.inputData) for (let i = 0; i < buf.length; i++) buf[i] = ((i * 2654435761) >>> 24) / 255;
    entries.push({ name, precision, input: `${w}×${h}`, session, times: [] });
  }
}

for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < entries.length; k++) {
    const e = entries[(k + r) % entries.length]!;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await e.session.run(0);
      e.times.push(performance.now() - t0);
    }
  }
}

const p50 = (e: Entry): number => percentile(e.times, 0.5);
const ref = (precision: string): Entry => entries.find((e) => e.precision === precision)!;
const rows = entries.map((e) => ({
  name: e.name,
  precision: e.precision,
  input: e.input,
  file: e.session.file.path,
  p50Ms: p50(e),
  p90Ms: percentile(e.times, 0.9),
  vsReference: p50(e) / p50(ref(e.precision)),
  int8VsFp32: e.precision === 'int8' ? p50(e) / p50(entries.find((x) => x.name === e.name && x.precision === 'fp32')!) : 1,
}));
console.log(`fetal-head latency, CPU provider, ${threads} intra-op threads, ${rounds} interleaved rounds × ${runs} runs; ratios to "${entries[0]!.name}"`);
console.log('name                 precision input    p50 ms  p90 ms  ×reference  int8/fp32');
for (const r of rows) {
  console.log(
    `${r.name.padEnd(20)} ${r.precision.padEnd(9)} ${r.input.padEnd(8)} ${r.p50Ms.toFixed(2).padStart(6)} ${r.p90Ms.toFixed(2).padStart(7)} ${r.vsReference.toFixed(2).padStart(10)} ${r.int8VsFp32.toFixed(2).padStart(10)}`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify({ threads, rounds, runs, rows }, null, 2));
for (const e of entries) await e.session.release();
