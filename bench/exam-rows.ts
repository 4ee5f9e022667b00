/**
 * bench (section "exams", issue #22): each exam type live from a 30 fps simulated probe with one viewer's
 * enhanced view on, through the real pipeline (latest-frame slot, cadence schedule, worker-thread sessions):
 *  - obstetric: fetal-head every frame + enhance every frame;
 *  - breast: breast-lesion every 2nd frame + enhance every frame (the model gate stops fetal-head then).
 * Per exam: results/s of the diagnostic model, enhanced frames/s, frames dropped/s at the slot, whether
 * anything grows (the frames in but neither taken nor dropped, and RSS, start vs end), capture → result p99
 * against inference p99, and the mean of each stage (queue, preprocess, hand-off, inference, analysis) so it
 * is plain where each millisecond goes, with each stage's p99, and the finer steps of the pipeline's
 * diagnostic `stages` events (slot wait, the hand-off there and back, …) as mean / p99 / mean over the slowest
 * 5% of results (the tail: what its added milliseconds are). Models whose package is missing are left out.
 * Each exam runs in four modes, in the order turns, before, sides, yield, yield, sides, before, turns so the
 * host's slow phases fall on all of them: `turns` (concurrentRuns 1: the models take turns on the cores, as
 * the pipeline did until session 7), `before` (side by side, a frame that arrives during its model's run
 * waits for the run to land: the pipeline until session 8), `sides` (the default: one run per core, each model
 * on its own worker beside the other, the next frame queued behind the run in flight) and `yield` (side by
 * side, the enhancer's worker thread at niceness DISPLAY_MODEL_NICENESS, so the display model gives way to
 * the diagnostic one when the cores are short). Ratios between modes of one run are the figures to compare
 * between runs; the absolute rates move with the host's load.
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
import { ModelRunner, type Slot } from '../src/pipeline/model-runner.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import type { StageTrace } from '../src/pipeline/bus.js';
import { type Spread, rssMb, spreadOf } from './stats.js';

const STAGES = ['queueMs', 'preprocessMs', 'handoffMs', 'inferenceMs', 'analysisMs', 'totalMs'] as const;
type Stage = (typeof STAGES)[number];
const STEPS = ['sourceMs', 'slotMs', 'aheadMs', 'toWorkerMs', 'workerMs', 'backMs', 'relayMs', 'settleMs', 'publishMs'] as const;
type Step = (typeof STEPS)[number];

export interface ModelRow {
  id: string;
  everyN: number;
  resultsPerSecond: number;
  /** frames that arrived while this model could not take them (PipelineStats.models[id].framesSkipped), per second */
  skippedPerSecond: number;
  /** mean per stage, ms; totalMs is capture → published */
  meanMs: Record<Stage, number>;
  p99Ms: Record<Stage, number>;
  /** capture → result p99 minus inference p99: what the pipeline adds at the tail */
  addedP99Ms: number;
  /** per stage and finer step: mean, p99 and the mean over the results whose capture → result is in the slowest 5% */
  spread: Record<Stage | Step, Spread>;
}

/**
 * `turns`: one run at a time; `before`: sides, no queueing behind; `sides`: one per core (the default); `yield`: sides,
 * enhancer niced; `hop`: sides, each run asked for a microtask after launch (the pipeline before session 12).
 */
export type ExamMode = 'turns' | 'before' | 'sides' | 'yield' | 'hop';
const MODE_NAMES: readonly ExamMode[] = ['turns', 'before', 'sides', 'yield', 'hop'];
/** BENCH_EXAM_MODES=before,sides,sides,before (say) runs those rounds instead, BENCH_EXAMS=obstetric only that exam: a focused comparison. */
const MODES = (process.env.BENCH_EXAM_MODES?.split(',') ?? ['turns', 'before', 'sides', 'yield', 'yield', 'sides', 'before', 'turns']).map((m) => {
  if (!MODE_NAMES.includes(m as ExamMode)) throw new Error(`BENCH_EXAM_MODES: unknown mode "${m}"; use ${MODE_NAMES.join(', ')}`);
  return m as ExamMode;
});

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
  ratios: Array<{ exam: string; model: string } & Record<ExamMode, number>>;
  /** per exam, mode and model, over all rounds of the mode together: added p99 and the slowest 5%'s mean per stage and step */
  pooled: Array<{ exam: string; mode: ExamMode; model: string; results: number; addedP99Ms: number; tailMs: Record<Stage | Step, number> }>;
  missing: string[];
  intraOpThreads: number;
}

/** Each row's per-result figures (kept out of the rows, which go to bench.json), for the pooled figures. */
const samples = new WeakMap<ModelRow, Array<Record<Stage | Step, number>>>();

/** Asks for its run a microtask after launch called it, as launch itself did before session 12 (the `hop` rows). */
class HopRunner extends ModelRunner {
  override run(slot: Slot): ReturnType<ModelRunner['run']> {
    return Promise.resolve().then(() => super.run(slot));
  }
}

async function runExam(exam: string, mode: ExamMode, models: Array<{ id: string; engine: WorkerEngine; niced?: WorkerEngine | undefined; everyN: number }>, seconds: number): Promise<ExamRow> {
  const bus = new Bus();
  const timings: Record<string, Array<{ seq: number; timings: Record<Stage, number> }>> = {};
  const steps = new Map<string, StageTrace>(); // by model and seq
  let measuring = false;
  bus.on('result', (e) => {
    if (measuring) (timings[e.modelId] ??= []).push({ seq: e.seq, timings: e.timings });
  });
  bus.on('stages', (e) => {
    if (measuring) steps.set(`${e.modelId}:${e.seq}`, e);
  });
  const pipe = new Pipeline(
    bus,
    models.map((m) => {
      const engine = mode === 'yield' && m.niced ? m.niced : m.engine;
      return { runner: mode === 'hop' ? new HopRunner(engine) : new ModelRunner(engine), everyN: m.everyN };
    }),
    { concurrentRuns: mode === 'turns' ? 1 : availableParallelism(), queueBehind: mode !== 'before' },
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
    const all = t.map((x) => ({ ...x.timings, ...steps.get(`${m.id}:${x.seq}`) })) as Array<Record<Stage | Step, number>>;
    const totals = all.map((x) => x.totalMs);
    const spread = Object.fromEntries(
      [...STAGES, ...STEPS].map((k) => [
        k,
        spreadOf(
          all.map((x) => x[k] ?? NaN),
          totals,
        ),
      ]),
    ) as Record<Stage | Step, Spread>;
    const meanMs = Object.fromEntries(STAGES.map((k) => [k, spread[k].mean])) as Record<Stage, number>;
    const p99Ms = Object.fromEntries(STAGES.map((k) => [k, spread[k].p99])) as Record<Stage, number>;
    const skipped = (s1.models[m.id]?.framesSkipped ?? 0) - (s0.models[m.id]?.framesSkipped ?? 0);
    const row = { id: m.id, everyN: m.everyN, resultsPerSecond: t.length / wallS, skippedPerSecond: skipped / wallS, meanMs, p99Ms, addedP99Ms: p99Ms.totalMs - p99Ms.inferenceMs, spread };
    samples.set(row, all);
    return row;
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
  const chosen = process.env.BENCH_EXAMS?.split(',');
  if (chosen) exams.splice(0, exams.length, ...exams.filter((e) => chosen.includes(e.exam)));
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
        return { exam: e.exam, model: m.id, ...(Object.fromEntries(MODE_NAMES.map((mode) => [mode, rate(mode)])) as Record<ExamMode, number>) };
      }),
  );
  const pooled = exams.flatMap((e) =>
    [...new Set(out.filter((r) => r.exam === e.exam).map((r) => r.mode))].flatMap((mode) =>
      e.models
        .filter((m) => present.includes(m.id))
        .map((m) => {
          const all = out.filter((r) => r.exam === e.exam && r.mode === mode).flatMap((r) => samples.get(r.models.find((x) => x.id === m.id)!) ?? []);
          const totals = all.map((x) => x.totalMs);
          const tailMs = Object.fromEntries(
            [...STAGES, ...STEPS].map((k) => [
              k,
              spreadOf(
                all.map((x) => x[k] ?? NaN),
                totals,
              ).tail,
            ]),
          ) as Record<Stage | Step, number>;
          const p99 = (k: Stage): number =>
            spreadOf(
              all.map((x) => x[k]),
              totals,
            ).p99;
          return { exam: e.exam, mode, model: m.id, results: all.length, addedP99Ms: p99('totalMs') - p99('inferenceMs'), tailMs };
        }),
    ),
  );
  return { exams: out, ratios, pooled, missing, intraOpThreads: threads };
}

const STAGE_NAMES: Record<Stage | Step, string> = {
  queueMs: 'queue',
  sourceMs: 'source',
  slotMs: 'slot',
  preprocessMs: 'preprocess',
  handoffMs: 'handoff',
  aheadMs: 'ahead',
  toWorkerMs: 'to worker',
  workerMs: 'worker copies',
  backMs: 'back',
  relayMs: 'worker idle between runs (frames that came during the run before)',
  inferenceMs: 'inference',
  settleMs: 'settle',
  analysisMs: 'analysis',
  totalMs: 'total',
  publishMs: 'publish',
};

/** One bench table row per exam: the figures the issue asks for, in one line. */
export function examRowText(e: ExamRow): string {
  const parts = e.models.map((m) => {
    const where = (['queueMs', 'preprocessMs', 'handoffMs', 'inferenceMs', 'analysisMs'] as const).map((k) => `${k.replace('Ms', '')} ${m.meanMs[k].toFixed(1)}`).join(' + ');
    // what no stage accounts for: a wait for a core (taking turns) and the hop from a run landing to its publication
    const other = m.meanMs.totalMs - (['queueMs', 'preprocessMs', 'handoffMs', 'inferenceMs', 'analysisMs'] as const).reduce((a, k) => a + m.meanMs[k], 0);
    const steps = (['sourceMs', 'slotMs', 'preprocessMs', 'aheadMs', 'toWorkerMs', 'workerMs', 'backMs', 'inferenceMs', 'settleMs', 'analysisMs', 'totalMs', 'publishMs', 'relayMs'] as const)
      // a step with no samples (no frame ever waited behind a run, say) is said so, not printed as NaN
      .map((k) => `${STAGE_NAMES[k]} ${Number.isNaN(m.spread[k].mean) ? 'none' : `${m.spread[k].mean.toFixed(1)}/${m.spread[k].p99.toFixed(1)}/${m.spread[k].tail.toFixed(1)}`}`)
      .join(', ');
    return `${m.id}/${m.everyN}: ${m.resultsPerSecond.toFixed(1)} results/s, skipped ${m.skippedPerSecond.toFixed(1)} frames/s; capture→result p99 ${m.p99Ms.totalMs.toFixed(1)} ms vs inference p99 ${m.p99Ms.inferenceMs.toFixed(1)} ms (+${m.addedP99Ms.toFixed(1)}); mean ms ${where} + other ${other.toFixed(1)} = ${m.meanMs.totalMs.toFixed(1)}; ms mean/p99/slowest-5% mean: ${steps}`;
  });
  return `${parts.join('; ')}; JS thread busy ${(e.jsBusy * 100).toFixed(0)}%; load average ${e.loadAverage.toFixed(1)}; source ${e.sourceFps.toFixed(1)} fps, taken ${e.framesTakenPerSecond.toFixed(1)}/s, dropped ${e.droppedPerSecond.toFixed(1)}/s; pending frames ${e.pendingStart} → ${e.pendingEnd}; RSS ${e.rssStartMb.toFixed(0)} → ${e.rssEndMb.toFixed(0)} MB over ${e.seconds.toFixed(0)} s`;
}

const MODE_TEXT: Record<ExamMode, string> = {
  turns: 'taking turns',
  before: 'side by side, next frame waits for the run to land (before)',
  sides: 'side by side',
  yield: `side by side, enhancer at nice ${DISPLAY_MODEL_NICENESS}`,
  hop: 'side by side, run asked for a microtask after launch (hop)',
};

/** How the results/s row names each mode. */
const RATE_TEXT: Record<ExamMode, string> = { sides: 'side by side', yield: 'enhancer niced', before: 'before', turns: 'taking turns', hop: 'hop' };

/** The bench table's exam rows: one per exam and mode, then per exam the modes side by side (ratios within this run). */
export function examTableRows(x: ExamsResult): Array<[string, string]> {
  const rows: Array<[string, string]> = x.exams.map((e) => [`${e.exam} exam, 30 fps, enhanced view on, models ${MODE_TEXT[e.mode]} (${x.intraOpThreads} threads each)`, examRowText(e)]);
  for (const exam of new Set(x.ratios.map((r) => r.exam))) {
    const rs = x.ratios.filter((r) => r.exam === exam);
    // Only the modes this run had (BENCH_EXAM_MODES may leave some out): a missing one is not printed as NaN.
    const ran = (mode: ExamMode): boolean => x.exams.some((e) => e.exam === exam && e.mode === mode);
    const shown = (['sides', 'yield', 'before', 'hop', 'turns'] as const).filter(ran);
    const byTurns = ran('turns') ? shown.filter((m) => m !== 'turns') : [];
    rows.push([
      `${exam} exam: results/s ${shown.map((m) => RATE_TEXT[m]).join(' / ')} (pooled over the rounds of each)`,
      rs
        .map((r) => `${r.model} ${shown.map((m) => r[m].toFixed(1)).join(' / ')}${byTurns.length ? ` (${byTurns.map((m) => `×${(r[m] / r.turns).toFixed(2)}`).join(', ')} of taking turns)` : ''}`)
        .join('; '),
    ]);
    const added = (model: string, mode: ExamMode): number[] => x.exams.filter((e) => e.exam === exam && e.mode === mode).map((e) => e.models.find((m) => m.id === model)?.addedP99Ms ?? NaN);
    const pool = (model: string, mode: ExamMode): ExamsResult['pooled'][number] | undefined => x.pooled.find((p) => p.exam === exam && p.model === model && p.mode === mode);
    const tail = (p: ExamsResult['pooled'][number] | undefined): string =>
      p
        ? (['sourceMs', 'slotMs', 'aheadMs', 'preprocessMs', 'toWorkerMs', 'workerMs', 'backMs', 'analysisMs', 'inferenceMs'] as const)
            .map((k) => `${STAGE_NAMES[k]} ${p.tailMs[k].toFixed(1)}`)
            .join(', ')
        : 'none';
    const compared = (['before', 'hop', 'sides'] as const).filter(ran);
    if (compared.length === 0) continue;
    const name = { before: 'before', hop: 'hop', sides: 'side by side' } as const;
    rows.push([
      `${exam} exam: capture→result p99 minus inference p99, ${compared.map((m) => name[m]).join(' → ')} (each round, in order; then pooled over the rounds)`,
      rs
        .map((r) => {
          const added99 = compared.map((m) => {
            const pooled = pool(r.model, m);
            return `${added(r.model, m)
              .map((v) => `+${v.toFixed(1)}`)
              .join(', ')} (pooled ${pooled ? `+${pooled.addedP99Ms.toFixed(1)}` : 'none'})`;
          });
          return `${r.model} ${added99.join(' → ')} ms; slowest 5% (pooled), mean ms ${compared.map((m) => `${name[m]}: ${tail(pool(r.model, m))}`).join('; ')}`;
        })
        .join('; '),
    ]);
  }
  if (x.missing.length) rows.push(['exam rows: missing models', x.missing.join(', ')]);
  return rows;
}
