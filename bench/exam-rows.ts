/**
 * bench (section "exams", issue #22): each exam type live from a 30 fps simulated probe with one viewer's
 * enhanced view on, through the real pipeline (latest-frame slot, cadence schedule, worker-thread sessions):
 *  - obstetric: fetal-head every frame + enhance every frame;
 *  - breast: breast-lesion every 2nd frame + enhance every frame (the model gate stops fetal-head then).
 * Per exam: results/s of the diagnostic model, enhanced frames/s, frames dropped/s at the slot, whether
 * anything grows (the frames in but neither taken nor dropped, and RSS, start vs end), capture → result p99
 * against inference p99, and the mean of each stage (queue, preprocess, hand-off, inference, analysis) so it
 * is plain where each millisecond goes. Models whose package is missing are left out (and said so).
 * Each exam runs in three modes, in the order turns, sides, yield, yield, sides, turns so the host's slow
 * phases fall on all of them: `turns` (concurrentRuns 1: the models take turns on the cores, as the pipeline
 * did until session 7), `sides` (the default, one run per core: each model on its own worker beside the
 * other) and `yield` (side by side, the enhancer's worker thread at niceness DISPLAY_MODEL_NICENESS, so the display
 * model gives way to the diagnostic one when the cores are short). Ratios to `turns` are the figures to
 * compare between runs; the absolute rates move with the host's load.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SimulatedProbe } from '../drivers/simulated/probe.js';
import type { SessionOptions } from '../src/inference/session.js';
import { DISPLAY_MODEL_NICENESS } from '../src/inference/thread-nice.js';
import { resolveIntraOpThreads } from '../src/inference/threads.js';
import { WorkerEngine } from '../src/inference/worker-engine.js';
import { findModelPackage } from '../src/models/package.js';
import { Bus } from '../src/pipeline/bus.js';
import { ModelRunner } from '../src/pipeline/model-runner.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { mean, percentile, rssMb } from './stats.js';

const STAGES = ['queueMs', 'preprocessMs', 'handoffMs', 'inferenceMs', 'analysisMs', 'totalMs'] as const;
type Stage = (typeof STAGES)[number];

export interface ModelRow {
  id: string;
  everyN: number;
  resultsPerSecond: number;
  /** mean per stage, ms; totalMs is capture → published */
  meanMs: Record<Stage, number>;
  p99Ms: Record<Stage, number>;
  /** capture → result p99 minus inference p99: what the pipeline adds at the tail */
  addedP99Ms: number;
}

/** `turns`: one model run at a time; `sides`: one per core (the pipeline's default); `yield`: sides, enhancer niced. */
export type ExamMode = 'turns' | 'sides' | 'yield';
const MODES: ExamMode[] = ['turns', 'sides', 'yield', 'yield', 'sides', 'turns'];

export interface ExamRow {
  exam: string;
  mode: ExamMode;
  /** share of the measured window the JS thread was busy (event-loop utilisation, 0–1) */
  jsBusy: number;
  models: ModelRow[];
  sourceFps: number;
  framesTakenPerSecond: number;
  droppedPerSecond: number;
  /** frames in that were neither taken nor dropped, at the start and end of the measured window */
  pendingStart: number;
  pendingEnd: number;
  rssStartMb: number;
  rssEndMb: number;
  seconds: number;
  /** the host's 1-minute load average at the end: other jobs on the shared cores */
  loadAverage: number;
}

export interface ExamsResult {
  exams: ExamRow[];
  /** per exam and model: results/s side by side ÷ taking turns, pooled over the rounds */
  ratios: Array<{ exam: string; model: string; turns: number; sides: number; yield: number }>;
  missing: string[];
  intraOpThreads: number;
}

async function runExam(exam: string, mode: ExamMode, models: Array<{ id: string; engine: WorkerEngine; niced?: WorkerEngine | undefined; everyN: number }>, seconds: number): Promise<ExamRow> {
  const bus = new Bus();
  const timings: Record<string, Array<Record<Stage, number>>> = {};
  let measuring = false;
  bus.on('result', (e) => {
    if (measuring) (timings[e.modelId] ??= []).push(e.timings);
  });
  const pipe = new Pipeline(
    bus,
    models.map((m) => ({ runner: new ModelRunner(mode === 'yield' && m.niced ? m.niced : m.engine), everyN: m.everyN })),
    { concurrentRuns: mode === 'turns' ? 1 : availableParallelism() },
  );
  await pipe.start(new SimulatedProbe(`bench-${exam}`, { fps: 30 }));
  await new Promise((r) => setTimeout(r, 2000)); // JIT, worker and session warm-up
  const pending = (): number => {
    const s = pipe.stats();
    return s.framesIn - s.framesTaken - s.framesDropped;
  };
  const s0 = pipe.stats();
  const p0 = pending();
  const rss0 = rssMb();
  const elu0 = performance.eventLoopUtilization();
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const jsBusy = performance.eventLoopUtilization(elu0).utilization;
  const wallS = (performance.now() - t0) / 1000;
  const s1 = pipe.stats();
  const p1 = pending();
  const rss1 = rssMb();
  await pipe.stop();
  const rows: ModelRow[] = models.map((m) => {
    const t = timings[m.id] ?? [];
    const meanMs = Object.fromEntries(STAGES.map((k) => [k, mean(t.map((x) => x[k]))])) as Record<Stage, number>;
    const p99Ms = Object.fromEntries(
      STAGES.map((k) => [
        k,
        percentile(
          t.map((x) => x[k]),
          0.99,
        ),
      ]),
    ) as Record<Stage, number>;
    return { id: m.id, everyN: m.everyN, resultsPerSecond: t.length / wallS, meanMs, p99Ms, addedP99Ms: p99Ms.totalMs - p99Ms.inferenceMs };
  });
  return {
    exam,
    mode,
    jsBusy,
    models: rows,
    sourceFps: (s1.framesIn - s0.framesIn) / wallS,
    framesTakenPerSecond: (s1.framesTaken - s0.framesTaken) / wallS,
    droppedPerSecond: (s1.framesDropped - s0.framesDropped) / wallS,
    pendingStart: p0,
    pendingEnd: p1,
    rssStartMb: rss0,
    rssEndMb: rss1,
    seconds: wallS,
    loadAverage: loadavg()[0]!,
  };
}

export async function benchExams(root: string, base: Omit<SessionOptions, 'intraOpThreads'>, seconds = 8): Promise<ExamsResult> {
  const exams = [
    {
      exam: 'obstetric',
      models: [
        { id: 'fetal-head', everyN: 1 },
        { id: 'enhance', everyN: 1 },
      ],
    },
    {
      exam: 'breast',
      models: [
        { id: 'breast-lesion', everyN: 2 },
        { id: 'enhance', everyN: 1 },
      ],
    },
  ];
  const ids = [...new Set(exams.flatMap((e) => e.models.map((m) => m.id)))];
  const present = ids.filter((id) => existsSync(join(root, 'models', id, 'manifest.json')));
  const missing = ids.filter((id) => !present.includes(id));
  // two models live at once in either exam: the runtime's own thread rule for that case
  const threads = resolveIntraOpThreads('auto', { cores: availableParallelism(), models: 2, live: true });
  const out: ExamRow[] = [];
  for (const e of exams) {
    const ms = e.models.filter((m) => present.includes(m.id));
    const open = (id: string, niceness?: number): Promise<WorkerEngine> => WorkerEngine.open(findModelPackage(join(root, 'models'), id), { ...base, intraOpThreads: threads }, { niceness });
    const engines = await Promise.all(ms.map(async (m) => ({ ...m, engine: await open(m.id), niced: m.id === 'enhance' ? await open(m.id, DISPLAY_MODEL_NICENESS) : undefined })));
    try {
      for (const mode of MODES) out.push(await runExam(e.exam, mode, engines, seconds));
    } finally {
      for (const m of engines) {
        await m.engine.release();
        await m.niced?.release();
      }
    }
  }
  const ratios = exams.flatMap((e) =>
    e.models
      .filter((m) => present.includes(m.id))
      .map((m) => {
        const rate = (mode: ExamMode): number => {
          const rows = out.filter((r) => r.exam === e.exam && r.mode === mode);
          const results = rows.reduce((a, r) => a + (r.models.find((x) => x.id === m.id)?.resultsPerSecond ?? 0) * r.seconds, 0);
          return results / rows.reduce((a, r) => a + r.seconds, 0);
        };
        return { exam: e.exam, model: m.id, turns: rate('turns'), sides: rate('sides'), yield: rate('yield') };
      }),
  );
  return { exams: out, ratios, missing, intraOpThreads: threads };
}

/** One bench table row per exam: the figures the issue asks for, in one line. */
export function examRowText(e: ExamRow): string {
  const parts = e.models.map((m) => {
    const where = (['queueMs', 'preprocessMs', 'handoffMs', 'inferenceMs', 'analysisMs'] as const).map((k) => `${k.replace('Ms', '')} ${m.meanMs[k].toFixed(1)}`).join(' + ');
    // what no stage accounts for: a wait for a core (taking turns) and the hop from a run landing to its publication
    const other = m.meanMs.totalMs - (['queueMs', 'preprocessMs', 'handoffMs', 'inferenceMs', 'analysisMs'] as const).reduce((a, k) => a + m.meanMs[k], 0);
    return `${m.id}/${m.everyN}: ${m.resultsPerSecond.toFixed(1)} results/s; capture→result p99 ${m.p99Ms.totalMs.toFixed(1)} ms vs inference p99 ${m.p99Ms.inferenceMs.toFixed(1)} ms (+${m.addedP99Ms.toFixed(1)}); mean ms ${where} + other ${other.toFixed(1)} = ${m.meanMs.totalMs.toFixed(1)}`;
  });
  return `${parts.join('; ')}; JS thread busy ${(e.jsBusy * 100).toFixed(0)}%; load average ${e.loadAverage.toFixed(1)}; source ${e.sourceFps.toFixed(1)} fps, taken ${e.framesTakenPerSecond.toFixed(1)}/s, dropped ${e.droppedPerSecond.toFixed(1)}/s; pending frames ${e.pendingStart} → ${e.pendingEnd}; RSS ${e.rssStartMb.toFixed(0)} → ${e.rssEndMb.toFixed(0)} MB over ${e.seconds.toFixed(0)} s`;
}
