/**
 * npm run bench — on the bundled model and the simulated probe, in ONE run (ratios, not absolute claims):
 *  1. simulated probe cost at 30 fps, 640×480 (% of one core)
 *  2. raw session.run loop throughput vs full pipeline throughput (frames always ready)
 *  3. end-to-end latency capture → result on the bus at 30 fps input (p50/p99) vs inference p99
 *  4. cold start to first result, RSS before/after
 *  5. three sessions in one process: each alone vs with idle neighbours vs all together (spinning off);
 *     the models at their cadences; each exam type (obstetric, breast) live with the enhanced view on
 * Prints a table and writes bench-results/bench.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startDaemon } from '../src/app/daemon.js';
import { fork } from 'node:child_process';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedProbe } from '../drivers/simulated/probe.js';
import type { Frame } from '../src/capture/frame.js';
import type { FrameSource, SourceHealth } from '../src/capture/source.js';
import { type ModelSession, openModelSession } from '../src/inference/session.js';
import type { InferenceEngine } from '../src/inference/engine.js';
import { WorkerEngine } from '../src/inference/worker-engine.js';
import { Resampler } from '../src/inference/resample.js';
import { findModelPackage } from '../src/models/package.js';
import { Bus, type ResultEvent } from '../src/pipeline/bus.js';
import { ModelRunner } from '../src/pipeline/model-runner.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { packageRoot } from '../src/util/package-root.js';
import { mean, percentile, rssMb } from './stats.js';
import { benchSessionOptions } from './session-options.js';
import { benchDrivers } from './drivers.js';
import { benchCadence } from './models-cadence.js';
import { benchExams, examTableRows } from './exam-rows.js';
import { loadOrCreateKey, openDatabase } from '../src/records/database.js';
import { ExamStore } from '../src/records/exam-store.js';
import { writePart10 } from '../src/sync/dicom-file.js';
import { Outbox } from '../src/sync/outbox.js';
import { SyncService } from '../src/sync/sync-service.js';
import { newUid } from '../src/sync/uids.js';
import { buildUsImage } from '../src/sync/us-image.js';

const root = packageRoot();
const N = Number(process.env.BENCH_N ?? 200);
/** BENCH_ONLY=throughput,latency,backlog,multi,cadence,exams,browser,drivers runs a subset (the probe cost always runs). */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const only = (section: string): boolean => !ONLY || ONLY.has(section);
const opts = benchSessionOptions;
const rows: Array<[string, string]> = [];
const out: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, n: N };
const row = (k: string, v: string): void => {
  rows.push([k, v]);
  console.error(`${k}: ${v}`);
};

/**
 * A source that always has the next pre-rendered frame waiting: two at start, then one per published
 * result, so the pipeline is never starved and never flooded (no spinning producer on the shared cores).
 */
class ReadySource implements FrameSource {
  readonly id = 'ready';
  readonly driver = 'bench-ready';
  #frames: Frame[];
  #seq = 0;
  #listener: ((f: Frame) => void) | undefined;
  constructor(frames: Frame[], bus: Bus) {
    this.#frames = frames;
    // Synchronously, inside the publish: the next frame is in the slot before the pipeline looks for one,
    // as with a real source that is faster than inference (a microtask here would starve the pipeline).
    bus.on('result', () => this.emit());
  }
  emit(): void {
    const f = this.#frames[this.#seq % this.#frames.length]!;
    this.#listener?.({ ...f, seq: this.#seq++, timestampMs: performance.now() });
  }
  async start(l: (f: Frame) => void): Promise<void> {
    this.#listener = l;
    this.emit();
    this.emit();
  }
  async stop(): Promise<void> {
    this.#listener = undefined;
  }
  health(): SourceHealth {
    return { driver: this.driver, state: 'running', connected: true, fps: 0, framesDelivered: this.#seq, errors: 0, lastError: undefined };
  }
}

async function liveLatency(session: InferenceEngine, n: number): Promise<number[]> {
  const bus = new Bus();
  const pipe = new Pipeline(bus, [{ runner: new ModelRunner(session), everyN: 1 }]);
  const totals: number[] = [];
  // the first second warms the JIT (the latency row skips it the same way)
  let seen = 0;
  const done = new Promise<void>((resolve) =>
    bus.on('result', (e) => {
      if (++seen <= 30) return;
      totals.push(e.timings.totalMs);
      if (totals.length === n) resolve();
    }),
  );
  await pipe.start(new SimulatedProbe('bench-live', { fps: 30 }));
  await done;
  await pipe.stop();
  return totals;
}

/** The same 30 fps live run twice: alone, then while 400 de-identified-size instances drain by STOW-RS. */
async function latencyWithBacklog(session: InferenceEngine, n: number): Promise<{ withoutP99Ms: number; withBacklogP99Ms: number; queued: number; delivered: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  const peer = fork(join(root, 'bench', 'stow-peer.mjs'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => peer.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  // The peer stands for a PACS on another machine: its CPU must not count against the live pipeline here.
  setPriority(peer.pid!, 19);
  const key = loadOrCreateKey(join(dir, 'k'), {});
  const db = openDatabase(join(dir, 'r.db'), key);
  // an exam for the outbox rows to belong to, made through the records API (the schema is the records layer's)
  const exam = new ExamStore(db).createExam({ operator: 'bench' });
  const outbox = new Outbox(db);
  const study = {
    studyInstanceUid: newUid(),
    studyDate: '20260101',
    studyTime: '120000',
    studyId: '',
    accessionNumber: '',
    patient: { name: 'SE1', id: 'SE1', birthDate: '', sex: '' },
    deviceSerial: 'x',
    softwareVersion: '0',
  };
  const probe = new SimulatedProbe('b', {});
  probe.prepare();
  const px = new Uint8Array(640 * 480);
  probe.render(1, px);
  const queued = 400;
  outbox.enqueue(
    'peer',
    exam.id,
    Array.from({ length: queued }, (_, i) => {
      const uid = newUid();
      return {
        sopInstanceUid: uid,
        sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
        bytes: writePart10(
          buildUsImage(study, {
            seriesInstanceUid: study.studyInstanceUid + '.1',
            seriesNumber: 1,
            sopInstanceUid: uid,
            instanceNumber: i + 1,
            contentDate: '20260101',
            contentTime: '120000',
            width: 640,
            height: 480,
            pixels: px,
            region: probe.region,
            pixelSpacingMm: { x: 0.3, y: 0.3 },
            derived: false,
            seriesDescription: 'b',
            burnedInAnnotation: 'NO',
          }),
        ),
      };
    }),
  );
  const without = await liveLatency(session, n);
  // The daemon's own arrangement: delivery in a separate process at nice 19 (SyncService), its own connection.
  const worker = new SyncService(
    {
      dbFile: join(dir, 'r.db'),
      key,
      targets: [{ name: 'peer', url: `http://127.0.0.1:${port}/dicom-web` }],
      settings: { batchSize: 10, retryInitialMs: 100, retryMaxMs: 1000, pollMs: 100, pauseBetweenBatchesMs: Number(process.env.BENCH_SYNC_PAUSE_MS ?? 300) },
      nice: Number(process.env.BENCH_SYNC_NICE ?? 19),
    },
    { warn() {}, info() {} },
  );
  worker.start();
  const withBacklog = await liveLatency(session, n);
  await worker.stop();
  const delivered = outbox.counts().find((c) => c.state === 'sent')?.n ?? 0;
  db.close();
  peer.kill();
  rmSync(dir, { recursive: true, force: true });
  return { withoutP99Ms: percentile(without, 0.99), withBacklogP99Ms: percentile(withBacklog, 0.99), queued, delivered };
}

async function browserPaint(): Promise<{ p50Ms: number; p99Ms: number; paintedFps: number } | undefined> {
  // the paint samples come from the page's test build (web-ui/dist-test: `vite build web-ui --mode test`); the production page has no hooks
  const ui = join(root, 'web-ui', 'dist-test');
  if (!existsSync('/usr/bin/chromium') || !existsSync(join(ui, 'index.html'))) return undefined;
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'bench-ui-'));
  const daemon = await startDaemon(
    loadConfig(undefined, {
      env: {},
      overrides: [
        [['server', 'port'], 0],
        [['dataDir'], dir],
        [['log', 'level'], 'silent'],
      ],
    }),
    { logger: pino({ level: 'silent' }), webUiDir: ui },
  );
  const b = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await b.newPage({ viewport: { width: 1024, height: 600 } });
    await page.goto(daemon.url + '/');
    await page.waitForTimeout(2000);
    await page.evaluate(() => (window as unknown as { sonoPaintStats: () => number[] }).sonoPaintStats());
    await page.waitForTimeout(5000);
    const stats = await page.evaluate(() => (window as unknown as { sonoPaintStats: () => number[] }).sonoPaintStats());
    return { p50Ms: percentile(stats, 0.5), p99Ms: percentile(stats, 0.99), paintedFps: stats.length / 5 };
  } finally {
    await b.close();
    await daemon.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rss0 = rssMb();
  const tCold = performance.now();
  const pkg = findModelPackage(join(root, 'models'), 'fetal-head');

  // 1. simulated probe cost
  const probe = new SimulatedProbe('bench', { fps: 30 });
  const tPrep = performance.now();
  probe.prepare();
  const prepMs = performance.now() - tPrep;
  const buf = new Uint8Array(640 * 480);
  for (let i = 0; i < 30; i++) probe.render(i, buf);
  const cpu0 = process.cpuUsage();
  const tr = performance.now();
  for (let i = 0; i < 300; i++) probe.render(i, buf);
  const renderMs = (performance.now() - tr) / 300;
  const cpuMs = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000 / 300;
  out.simulatedProbe = { renderMsPerFrame: renderMs, cpuMsPerFrame: cpuMs, percentOfOneCoreAt30fps: (cpuMs * 30) / 10, sceneBuildMs: prepMs };
  row('simulated probe 640×480', `${renderMs.toFixed(2)} ms/frame → ${((cpuMs * 30) / 10).toFixed(1)}% of one core at 30 fps (scene built once in ${prepMs.toFixed(0)} ms)`);

  // 1b. the gray resampler (the bulk of preprocessing), WebAssembly SIMD vs the JS loops, interleaved
  {
    const src = new Uint8Array(640 * 480);
    probe.render(3, src);
    const [, , mh, mw] = pkg.manifest.input.shape;
    const s = Math.min(mw / probe.region.width, mh / probe.region.height);
    const ow = Math.round(probe.region.width * s);
    const oh = Math.round(probe.region.height * s);
    const kernels = [new Resampler(probe.region.width, probe.region.height, ow, oh), new Resampler(probe.region.width, probe.region.height, ow, oh, { grayKernel: 'js' })];
    const dst = new Float32Array(mw * mh);
    const ms = [0, 0];
    for (let r = 0; r < 10; r++) {
      for (let k = 0; k < 2; k++) {
        const t = performance.now();
        for (let i = 0; i < 50; i++) kernels[k]!.run(src, 640, 1, probe.region.x, probe.region.y, dst, mw, 0, 0, 1 / 255, 0);
        if (r > 0) ms[k]! += (performance.now() - t) / 50 / 9;
      }
    }
    out.resampler = { kernel: kernels[0]!.grayKernel, msPerFrame: ms[0], jsMsPerFrame: ms[1], speedup: ms[1]! / ms[0]! };
    row(`resampler 640×480 → ${ow}×${oh}`, `${kernels[0]!.grayKernel} ${ms[0]!.toFixed(3)} ms vs JS loops ${ms[1]!.toFixed(3)} ms per frame (×${(ms[1]! / ms[0]!).toFixed(2)})`);
  }

  // 2. raw run loop vs pipeline, on the daemon's engine (a worker thread); in-process run for reference
  const inProcess = await openModelSession(pkg, opts);
  const inProc: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await inProcess.run();
    inProc.push(performance.now() - t);
  }
  const session = await WorkerEngine.open(pkg, opts);
  const frames: Frame[] = [];
  for (let i = 0; i < 8; i++) {
    const d = new Uint8Array(640 * 480);
    probe.render(i * 7, d);
    frames.push({ seq: i, timestampMs: 0, width: 640, height: 480, channels: 1, data: d, pixelSpacing: { x: probe.pixelSpacingMm, y: probe.pixelSpacingMm }, sourceId: 'bench', region: probe.region });
  }
  const runner = new ModelRunner(session);
  runner.prepare(frames[0]!);
  const infer: number[] = [];
  let firstAt = 0;
  if (only('throughput')) {
    // The target's baseline is the model's bare speed where the daemon runs it: session.run back to back
    // inside its worker, no messages, no copies (WorkerEngine.rawLoop). A bare loop on this thread is shown
    // beside it: on this VM the two vCPUs are not equally loaded by the host, and a loop on the main thread
    // ran at 14 or 22 ms per run depending on the phase while the worker's stayed at ~15 ms, so that figure
    // measures the core it landed on more than the pipeline.
    // Loops and pipeline alternate in short rounds (which goes first alternates too), so the machine's drift
    // weighs on both alike; each round gives its own ratio from runs a second apart, and the median of the
    // rounds' ratios is the figure (pooled ratios of all runs beside it).
    const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 24);
    const per = Math.max(10, Math.round(N / 8));
    let rawMs = 0;
    let workerLoopMs = 0;
    let inProcMs = 0;
    let pipeMs = 0;
    const roundDetail: Array<{ pipelineFirst: boolean; rawMsPerRun: number; inProcessMsPerRun: number; pipelineMsPerResult: number }> = [];
    const pipelineRun = async (): Promise<number> => {
      const bus = new Bus();
      const pipe = new Pipeline(bus, [{ runner, everyN: 1 }]);
      const src = new ReadySource(frames, bus);
      let results = 0;
      let t0 = 0;
      const done = new Promise<void>((resolve) =>
        bus.on('result', () => {
          if (++results === 5) t0 = performance.now();
          if (results === per + 5) resolve();
        }),
      );
      await pipe.start(src);
      await done;
      const ms = performance.now() - t0;
      if (!firstAt) firstAt = t0;
      await pipe.stop();
      return ms;
    };
    for (let r = 0; r < ROUNDS; r++) {
      // the daemon's engine asked run by run (one round trip each): the inference percentiles come from here
      const tW = performance.now();
      for (let i = 0; i < per; i++) {
        const t = performance.now();
        await session.run(0);
        infer.push(performance.now() - t);
      }
      workerLoopMs += performance.now() - tW;
      let raw: number;
      let pMs: number;
      if (r % 2 === 0) {
        raw = await session.rawLoop(0, per);
        pMs = await pipelineRun();
      } else {
        pMs = await pipelineRun();
        raw = await session.rawLoop(0, per);
      }
      const tIn = performance.now();
      for (let i = 0; i < per; i++) await inProcess.run(0);
      const inMs = performance.now() - tIn;
      rawMs += raw;
      inProcMs += inMs;
      pipeMs += pMs;
      roundDetail.push({ pipelineFirst: r % 2 === 1, rawMsPerRun: raw / per, inProcessMsPerRun: inMs / per, pipelineMsPerResult: pMs / per });
    }
    const fps = (ms: number): number => (ROUNDS * per * 1000) / ms;
    const rawFps = fps(rawMs);
    const pipeFps = fps(pipeMs);
    const ratios = roundDetail.map((d) => d.rawMsPerRun / d.pipelineMsPerResult);
    const inRatios = roundDetail.map((d) => d.inProcessMsPerRun / d.pipelineMsPerResult);
    const ratio = percentile(ratios, 0.5);
    const q = [percentile(ratios, 0.25), percentile(ratios, 0.75)];
    out.throughput = {
      rawFps,
      pipelineFps: pipeFps,
      ratio,
      ratioQuartiles: q,
      pooledRatio: pipeFps / rawFps,
      inProcessRawFps: fps(inProcMs),
      ratioVsInProcessLoop: percentile(inRatios, 0.5),
      workerMessageLoopFps: fps(workerLoopMs),
      rounds: ROUNDS,
      runsPerRound: per,
      roundDetail,
      inferenceP50Ms: percentile(infer, 0.5),
      inferenceP99Ms: percentile(infer, 0.99),
    };
    row("raw session.run loop (in the model's worker)", `${rawFps.toFixed(1)} runs/s`);
    row(
      'full pipeline',
      `${pipeFps.toFixed(1)} results/s → ratio ${ratio.toFixed(3)} of the raw loop (median of ${ROUNDS} rounds, quartiles ${q[0]!.toFixed(3)}–${q[1]!.toFixed(3)}; pooled ${(pipeFps / rawFps).toFixed(3)}; target ≥ 0.95)`,
    );
    row(
      'for reference',
      `bare loop on the main thread ${fps(inProcMs).toFixed(1)} runs/s (pipeline ÷ it: median ${percentile(inRatios, 0.5).toFixed(3)}); worker asked run by run ${fps(workerLoopMs).toFixed(1)} runs/s (p50 ${percentile(infer, 0.5).toFixed(2)} ms, p99 ${percentile(infer, 0.99).toFixed(2)} ms)`,
    );
  }

  // 3. latency at 30 fps from the real simulated probe
  if (only('latency')) {
    const bus2 = new Bus();
    const runner2 = new ModelRunner(session);
    const pipe2 = new Pipeline(bus2, [{ runner: runner2, everyN: 1 }]);
    // The first second is the JIT warming the analysis code and the probe: it is counted under cold start, not
    // here. Then LATENCY_N results (20 s at 30 fps), so that p99 is the 6th-worst sample rather than the 2nd.
    const WARM = 30;
    const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 600);
    const lat: ResultEvent['timings'][] = [];
    let seen = 0;
    const done2 = new Promise<void>((resolve) =>
      bus2.on('result', (e) => {
        if (++seen <= WARM) return;
        lat.push(e.timings);
        if (lat.length === LATENCY_N) resolve();
      }),
    );
    const live = new SimulatedProbe('bench-live', { fps: 30 });
    await pipe2.start(live);
    await done2;
    const st = pipe2.stats();
    await pipe2.stop();
    const total = lat.map((t) => t.totalMs);
    const inf2 = lat.map((t) => t.inferenceMs);
    out.latency30fps = {
      p50Ms: percentile(total, 0.5),
      p99Ms: percentile(total, 0.99),
      inferenceP99Ms: percentile(inf2, 0.99),
      preprocessMeanMs: mean(lat.map((t) => t.preprocessMs)),
      handoffMeanMs: mean(lat.map((t) => t.handoffMs)),
      analysisMeanMs: mean(lat.map((t) => t.analysisMs)),
      queueMeanMs: mean(lat.map((t) => t.queueMs)),
      framesIn: st.framesIn,
      dropped: st.framesDropped,
      results: lat.length,
      warmupResultsSkipped: WARM,
    };
    row(
      `capture→result at 30 fps (${lat.length} results after ${WARM} warm-up)`,
      `p50 ${percentile(total, 0.5).toFixed(2)} ms, p99 ${percentile(total, 0.99).toFixed(2)} ms vs inference p99 ${percentile(inf2, 0.99).toFixed(2)} ms (target p99 ≤ inference p99 + 5 ms)`,
    );
    row(
      'stage means',
      `queue ${mean(lat.map((t) => t.queueMs)).toFixed(2)} ms, preprocess ${mean(lat.map((t) => t.preprocessMs)).toFixed(2)} ms, hand-off ${mean(lat.map((t) => t.handoffMs)).toFixed(2)} ms, analysis ${mean(lat.map((t) => t.analysisMs)).toFixed(2)} ms; dropped ${st.framesDropped}/${st.framesIn}`,
    );
    if (firstAt) row('cold start → first pipeline result', `${(firstAt - tCold).toFixed(0)} ms (includes ${N} raw runs before it)`);
  }

  // 4. live latency while a large sync backlog drains to a loopback DICOMweb peer
  if (only('backlog')) {
    const backlog = await latencyWithBacklog(session, Math.min(N, 150));
    out.syncBacklog = backlog;
    row(
      'p99 at 30 fps, sync backlog draining',
      `${backlog.withBacklogP99Ms.toFixed(2)} ms vs ${backlog.withoutP99Ms.toFixed(2)} ms without (${backlog.delivered}/${backlog.queued} instances delivered meanwhile)`,
    );
  }

  // 5. several sessions in one process
  if (only('multi')) {
    const others: ModelSession[] = [await openModelSession(pkg, opts), await openModelSession(pkg, opts)];
    const timeRuns = async (s: ModelSession, n: number): Promise<number> => {
      const t = performance.now();
      for (let i = 0; i < n; i++) await s.run();
      return (performance.now() - t) / n;
    };
    const aloneWithNeighbours = await timeRuns(inProcess, N);
    const each = [aloneWithNeighbours, await timeRuns(others[0]!, N), await timeRuns(others[1]!, N)];
    const tAll = performance.now();
    for (let i = 0; i < N; i++) for (const s of [inProcess, ...others]) await s.run();
    const allMs = (performance.now() - tAll) / N;
    out.multiSession = { firstWithTwoIdleNeighboursMs: aloneWithNeighbours, aloneMeanMs: mean(inProc), eachMs: each, sumOfEachMs: each.reduce((a, b) => a + b, 0), allThreeTogetherMs: allMs };
    row(
      '3 sessions, one process',
      `one with two idle neighbours ${aloneWithNeighbours.toFixed(2)} ms vs alone ${mean(inProc).toFixed(2)} ms; all three ${allMs.toFixed(2)} ms vs sum ${each.reduce((a, b) => a + b, 0).toFixed(2)} ms`,
    );
    for (const s of [inProcess, ...others]) await s.release();
  }
  await session.release();
  // 5b. the shipped models together at their cadences (fetal-head 1, breast-lesion 2, enhance 1)
  if (only('cadence')) {
    const c = await benchCadence(root, opts);
    out.cadence = c;
    const shares = Object.entries(c.perModel)
      .map(([id, m]) => `${id} ${(m.budgetShare * 100).toFixed(0)}% (${m.meanInferenceMs.toFixed(1)} ms × ${m.runsPerSecond.toFixed(1)}/s, skipped ${m.skippedPerSecond.toFixed(1)} frames/s)`)
      .join(', ');
    row(
      'models at their cadences (30 fps source)',
      `${c.allFps.toFixed(1)} frames/s with ${c.models.map((m) => `${m.id}/${m.everyN}`).join(' + ')} vs ${c.aloneFps.toFixed(1)} with fetal-head alone; share of a 30 fps frame budget: ${shares}${c.missing.length ? `; missing: ${c.missing.join(', ')}` : ''}`,
    );
  }
  // 5c. each exam type live at 30 fps with the enhanced view on (issue #22): obstetric and breast
  if (only('exams')) {
    const x = await benchExams(root, opts);
    out.exams = x;
    for (const [label, text] of examTableRows(x)) row(label, text);
  }
  // 6. the browser: frame-to-paint latency and painted frame rate of the live page (headless Chromium)
  const browser = only('browser') ? await browserPaint() : undefined;
  if (browser) {
    out.browser = browser;
    row('browser frame → paint', `p50 ${browser.p50Ms.toFixed(2)} ms, p99 ${browser.p99Ms.toFixed(2)} ms; ${browser.paintedFps.toFixed(1)} frames painted per second (source 30 fps)`);
  } else if (only('browser')) row('browser frame → paint', 'skipped: no /usr/bin/chromium or no web UI test build (vite build web-ui --mode test)');

  // 7. each capture driver alone: decode and hand-off cost per frame
  const drivers = only('drivers') ? await benchDrivers() : [];
  out.drivers = drivers;
  for (const d of drivers) row(`driver ${d.driver} ${d.size}`, `${d.msPerFrame.toFixed(2)} ms/frame → ${d.fpsOneCore.toFixed(0)} fps on one core`);

  out.rssMb = { before: rss0, after: rssMb() };
  row('RSS', `${rss0.toFixed(0)} MB → ${rssMb().toFixed(0)} MB`);

  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'bench.json'), JSON.stringify(out, null, 2));
  console.log('\n| measure | result |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  process.exit(0);
}

void main();
