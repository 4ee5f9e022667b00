/**
 * The composition root: config → database → model sessions → source → pipeline → HTTP. It is the only
 * module (with cli.ts) that knows every layer; the layers know only the ones below them.
 */
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { builtinDrivers, builtinProbeControls } from '../drivers/index.js';
import { UsbHotplug, busEvents } from '../drivers/usb/hotplug.js';
import type { ProbeControl } from './capture/probe-control.js';
import { FailedSource } from './capture/failed-source.js';
import { CalibrationStore } from './capture/calibration-store.js';
import { SourceScope } from './capture/source-scope.js';
import { installFaultGuard } from './pipeline/fault-guard.js';
import type { SourceRegistry } from './capture/registry.js';
import type { LoadedConfig } from './config/load.js';
import { ErrorCodes, SonoError, errorMessage } from './errors.js';
import { openModelSession } from './inference/session.js';
import type { InferenceEngine } from './inference/engine.js';
import { WorkerEngine } from './inference/worker-engine.js';
import { findModelPackage } from './models/package.js';
import { Bus } from './pipeline/bus.js';
import { ModelRunner } from './pipeline/model-runner.js';
import { Pipeline } from './pipeline/pipeline.js';
import { type Db, loadOrCreateKey, openDatabase } from './records/database.js';
import { buildApp } from './server/app.js';
import type { Runtime } from './server/runtime.js';
import { packageRoot } from './util/package-root.js';
import { ExamStore } from './records/exam-store.js';
import type { Exam } from './records/types.js';
import { buildExamInstances } from './sync/export-exam.js';
import { Outbox } from './sync/outbox.js';
import { SyncService } from './sync/sync-service.js';
import { resolveIntraOpThreads } from './inference/threads.js';
import { ModelGate } from './server/model-gate.js';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface Daemon {
  app: FastifyInstance;
  runtime: Runtime;
  db: Db;
  /** Base URL the server listens on. */
  url: string;
  close(): Promise<void>;
}

export interface DaemonOptions {
  logger?: Logger;
  drivers?: SourceRegistry;
  /** Catch what nobody caught, process-wide (src/pipeline/fault-guard.ts); `serve` sets it, tests in a shared process do not. */
  guardProcess?: boolean;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'sonoedge') : join(homedir(), '.local', 'share', 'sonoedge');
}

export function modelsDirOf(loaded: LoadedConfig): string {
  return loaded.config.modelsDir ? resolve(loaded.baseDir, loaded.config.modelsDir) : join(packageRoot(), 'models');
}

/** Loads every configured model on the first provider that works; enforces requireAccelerator. */
export async function openSessions(loaded: LoadedConfig, log: Logger, options: { inWorker?: boolean } = {}): Promise<InferenceEngine[]> {
  const { inference } = loaded.config;
  const dir = modelsDirOf(loaded);
  const sessions: InferenceEngine[] = [];
  try {
    for (const use of loaded.config.models) {
      const pkg = findModelPackage(dir, use.id);
      const intraOpThreads = resolveIntraOpThreads(inference.intraOpThreads, { cores: availableParallelism(), models: loaded.config.models.length, live: options.inWorker === true });
      const opts = { ...inference, intraOpThreads, tensorrt: { ...inference.tensorrt, engineCacheDir: inference.tensorrt.engineCacheDir && resolve(loaded.baseDir, inference.tensorrt.engineCacheDir) } };
      const s = options.inWorker ? await WorkerEngine.open(pkg, opts) : await openModelSession(pkg, opts);
      sessions.push(s);
      for (const a of s.attempts.filter((x) => !x.ok)) log.warn({ model: s.id, provider: a.provider, reason: a.reason }, 'execution provider unavailable, trying the next');
      log.info({ model: s.id, version: s.version, provider: s.provider, precision: s.file.precision, intraOpThreads }, `model ${s.id} ${s.version} runs on ${s.provider} (${s.file.precision}, ${intraOpThreads} intra-op threads)`);
      if (inference.requireAccelerator && s.provider === 'cpu') {
        throw new SonoError(
          ErrorCodes.ACCELERATOR_REQUIRED,
          `inference.requireAccelerator is true but model "${s.id}" could only run on the CPU (${s.attempts.filter((a) => !a.ok).map((a) => `${a.provider}: ${a.reason}`).join('; ') || 'no accelerator provider configured'}). Install the CUDA/TensorRT libraries or set requireAccelerator to false.`,
        );
      }
    }
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release()));
    throw err;
  }
  return sessions;
}

export async function startDaemon(loaded: LoadedConfig, options: DaemonOptions = {}): Promise<Daemon> {
  const { config } = loaded;
  const log = options.logger ?? pino({ level: config.log.level, base: { app: 'sonoedge' } });
  const dataDir = resolve(loaded.baseDir, config.dataDir ?? defaultDataDir());
  const dbKey = loadOrCreateKey(join(dataDir, 'keys', 'records.key'));
  const db = openDatabase(join(dataDir, 'records.db'), dbKey);
  const outbox = new Outbox(db);
  const targets = config.sync.targets.map((t) => ({ ...t, caFile: t.caFile && resolve(loaded.baseDir, t.caFile) }));
  const worker = new SyncService({ dbFile: join(dataDir, 'records.db'), key: dbKey, targets, settings: config.sync, nice: config.sync.nice }, log);
  const deviceSecret = loadOrCreateKey(join(dataDir, 'keys', 'device.secret'), process.env, 'sonoedge-device-secret');
  const store = new ExamStore(db);
  const softwareVersion = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const onExamClosed = (exam: Exam): void => {
    if (targets.length === 0) return;
    const instances = buildExamInstances(exam, (id) => store.capturePixels(id), {
      secret: deviceSecret, dates: config.sync.dates, deviceSerial: createHash('sha256').update('serial:' + deviceSecret).digest('hex').slice(0, 12), softwareVersion, deidentified: true,
    });
    for (const t of targets) outbox.enqueue(t.name, exam.id, instances);
    setImmediate(() => worker.poke());
  };
  const runtime: Runtime = {
    db,
    dataDir,
    onExamClosed,
    sync: { outbox, worker },
    config,
    bus: new Bus((err, topic) => log.error({ err: errorMessage(err), topic }, 'bus handler failed')),
    metrics: new Registry(),
    startedAt: Date.now(),
    state: { ready: false, startupError: undefined },
    sessions: [],
    pipeline: undefined,
    webUiDir: join(packageRoot(), 'web-ui', 'dist'),
  };
  let app: FastifyInstance;
  try {
    app = await buildApp(runtime, log);
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    db.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  let probe: ProbeControl | undefined;
  let hotplug: UsbHotplug | undefined;
  let unguard: (() => void) | undefined;
  try {
    runtime.sessions = await openSessions(loaded, log, { inWorker: true });
    const runners = runtime.sessions.map((s) => new ModelRunner(s));
    const calibrations = new CalibrationStore(join(dataDir, 'calibration.json'));
    if (calibrations.problem) log.warn({ file: calibrations.file }, calibrations.problem);
    runtime.calibrations = calibrations;
    // Only the process-level guard asks the scope; without it, promises need not pay for async context (~+0.15 µs each).
    const scope = options.guardProcess ? new SourceScope() : undefined;
    const pipeline = new Pipeline(runtime.bus, runners.map((runner, i) => ({
      runner, everyN: config.models[i]!.everyN,
      // a display option (the enhancer) starts off; the live plugin runs it while a viewer has it on
      enabled: runner.session.pkg.manifest.task !== 'enhance',
    })), {
      log, scope, calibrationFor: (s) => calibrations.get(CalibrationStore.keyOf(s)),
    });
    runtime.pipeline = pipeline;
    runtime.modelGate = new ModelGate(() => runners.map((r) => ({ id: r.id, task: r.session.pkg.manifest.task })), (id, on) => pipeline.setModelEnabled(id, on));
    runtime.modelGate.setOpenExams(store.openExamTypes());
    if (scope) {
      runtime.faults = { attributed: 0, unattributed: 0, lastUnattributed: undefined };
      unguard = installFaultGuard({ scope, pipeline: () => runtime.pipeline, log, counts: runtime.faults });
    }
    const drivers = options.drivers ?? builtinDrivers();
    runtime.driverNames = () => drivers.names();
    runtime.createSource = (driver, settings, id = config.source.id) => drivers.create(driver, settings, { id, baseDir: loaded.baseDir, log });
    const source = runtime.createSource(config.source.driver, config.drivers[config.source.driver] ?? {});
    try {
      await pipeline.start(source);
    } catch (err) {
      // A missing device or unreadable file must not take the daemon down: it serves its records, UI and
      // sync, health names the problem, and PUT /api/source (or USB hotplug) can bring a source in.
      const reason = `Source "${config.source.driver}" failed to start: ${errorMessage(err)}`;
      log.error({ code: ErrorCodes.SOURCE_FAILED, err: errorMessage(err) }, reason);
      await source.stop().catch(() => {});
      pipeline.setFailedSource(new FailedSource(config.source.id, config.source.driver, reason));
    }
    if (config.probeControl) {
      const make = builtinProbeControls()[config.probeControl.driver];
      if (!make) throw new SonoError(ErrorCodes.SOURCE_UNKNOWN, `Unknown probe-control driver "${config.probeControl.driver}"; supported: ${Object.keys(builtinProbeControls()).join(', ')}`);
      probe = make(config.probeControl.settings);
      await probe.start((e) => {
        if (e.kind === 'freeze') pipeline.setFrozen(e.frozen);
        runtime.bus.publish('probe', e);
      });
      runtime.probe = probe;
    }
    if (config.usbHotplug?.devices.length) {
      const configured = (): ReturnType<NonNullable<Runtime['createSource']>> => runtime.createSource!(config.source.driver, config.drivers[config.source.driver] ?? {});
      const switchTo = (make: () => ReturnType<NonNullable<Runtime['createSource']>>, why: string): void => {
        void pipeline.switchSource(make()).then(
          () => log.info({ why }, 'source switched by USB hotplug'),
          (err: unknown) => log.warn({ why, err: errorMessage(err) }, 'USB hotplug could not switch the source'),
        );
      };
      hotplug = new UsbHotplug(await busEvents(), config.usbHotplug.devices,
        (k) => switchTo(() => runtime.createSource!(k.driver, k.settings), `${k.name} plugged in`),
        (k) => switchTo(configured, `${k.name} unplugged`));
      hotplug.start();
    }
    worker.start();
    runtime.state.ready = true;
    log.info({ url, provider: runtime.sessions[0]?.provider, source: config.source.driver }, `sonoedge ready: open ${url}/ in a browser`);
  } catch (err) {
    runtime.state.startupError = errorMessage(err);
    log.error({ err: errorMessage(err), code: (err as SonoError).code }, 'start-up failed');
    await runtime.pipeline?.stop().catch(() => {});
    unguard?.();
    await probe?.stop().catch(() => {});
    await worker.stop();
    await Promise.all(runtime.sessions.map((s) => s.release().catch(() => {})));
    await app.close();
    db.close();
    throw err;
  }
  return {
    app,
    runtime,
    db,
    url,
    async close() {
      runtime.state.ready = false;
      await worker.stop();
      hotplug?.stop();
      await probe?.stop();
      await runtime.pipeline?.stop();
      unguard?.();
      await app.close();
      await Promise.all(runtime.sessions.map((s) => s.release().catch(() => {})));
      db.close();
    },
  };
}
