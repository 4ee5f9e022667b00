import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { InferenceEngine } from '../inference/engine.js';
import { openModelSession } from '../inference/session.js';
import { DISPLAY_MODEL_NICENESS } from '../inference/thread-nice.js';
import { resolveIntraOpThreads } from '../inference/threads.js';
import { WorkerEngine } from '../inference/worker-engine.js';
import type { ModelPackage } from '../models/package.js';
import { ModelStore } from '../models/updates/store.js';
import { dataDirOf, modelsDirOf } from '../config/paths.js';

export interface OpenOptions {
  /** On its own worker thread (the daemon: onnxruntime's run() blocks its thread); in-process otherwise (the CLI). */
  inWorker?: boolean;
}

/**
 * Opens one model package on the first provider that works, with the config's inference settings, and
 * runs its warm-up; enforces requireAccelerator. Used at start-up and by a model update (warm, then switch).
 */
export async function openSession(loaded: LoadedConfig, pkg: ModelPackage, log: Logger, options: OpenOptions = {}): Promise<InferenceEngine> {
  const { inference } = loaded.config;
  const intraOpThreads = resolveIntraOpThreads(inference.intraOpThreads, { cores: availableParallelism(), models: loaded.config.models.length, live: options.inWorker === true });
  const opts = { ...inference, intraOpThreads, tensorrt: { ...inference.tensorrt, engineCacheDir: inference.tensorrt.engineCacheDir && resolve(loaded.baseDir, inference.tensorrt.engineCacheDir) } };
  // the display-only enhancer gives way to the diagnostic model when cores are short (README, Benchmarks)
  const placement = { niceness: pkg.manifest.task === 'enhance' ? DISPLAY_MODEL_NICENESS : undefined };
  const s = options.inWorker ? await WorkerEngine.open(pkg, opts, placement) : await openModelSession(pkg, opts);
  for (const a of s.attempts.filter((x) => !x.ok)) log.warn({ model: s.id, provider: a.provider, reason: a.reason }, 'execution provider unavailable, trying the next');
  log.info(
    { model: s.id, version: s.version, provider: s.provider, precision: s.file.precision, intraOpThreads },
    `model ${s.id} ${s.version} runs on ${s.provider} (${s.file.precision}, ${intraOpThreads} intra-op threads)`,
  );
  if (inference.requireAccelerator && s.provider === 'cpu') {
    await s.release();
    throw new SonoError(
      ErrorCodes.ACCELERATOR_REQUIRED,
      `inference.requireAccelerator is true but model "${s.id}" could only run on the CPU (${
        s.attempts
          .filter((a) => !a.ok)
          .map((a) => `${a.provider}: ${a.reason}`)
          .join('; ') || 'no accelerator provider configured'
      }). Install the CUDA/TensorRT libraries or set requireAccelerator to false.`,
    );
  }
  return s;
}

/** Opens every configured model, in order; on a failure the ones already open are released. */
export async function openSessions(loaded: LoadedConfig, log: Logger, options: OpenOptions = {}): Promise<InferenceEngine[]> {
  // the installed version a technician activated, once its files verify again; else the bundled package
  const store = new ModelStore(dataDirOf(loaded), modelsDirOf(loaded));
  const sessions: InferenceEngine[] = [];
  try {
    for (const use of loaded.config.models) {
      const active = store.resolveActive(use.id);
      if (active.why.startsWith('fallback'))
        log.warn(
          { model: use.id, version: active.version, source: active.source, why: active.why },
          `model ${use.id}: the activated version does not verify; serving ${active.version} (${active.source})`,
        );
      sessions.push(await openSession(loaded, active.pkg, log, options));
    }
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release()));
    throw err;
  }
  return sessions;
}
