/**
 * The daemon's composition: config → database → sync → pipeline (no models yet) → Runtime → HTTP listening
 * → model sessions → source → probe control → hotplug → sync delivery. The Runtime the server reads is
 * complete before the server listens; what arrives later (warm sessions, a running source) arrives inside
 * the services it already holds, and health says "starting" until then. Every started service pushes its
 * undo step on one Teardown, run last-in first-out by both a start-up that failed and `close()`.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { builtinDrivers } from '../../drivers/index.js';
import { databaseFiles, makeOwnerOnly } from '../access/private-files.js';
import { setUpAccess } from '../access/setup.js';
import { tlsFingerprints } from '../access/tls.js';
import { CalibrationStore } from '../capture/calibration-store.js';
import { RegionStore } from '../capture/region-store.js';
import type { SourceRegistry } from '../capture/registry.js';
import { identityOf, identityOfSource, rememberIdentity } from '../capture/source-identity.js';
import { SourceScope } from '../capture/source-scope.js';
import type { LoadedConfig } from '../config/load.js';
import { errorMessage } from '../errors.js';
import { Bus } from '../pipeline/bus.js';
import { type FaultCounts, installFaultGuard } from '../pipeline/fault-guard.js';
import { ModelGate } from '../pipeline/model-gate.js';
import { ModelRunner, type TaskContextProvider } from '../pipeline/model-runner.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { SourceDeadlines } from '../pipeline/source-holder.js';
import { type Db, loadOrCreateKey, openDatabase } from '../records/database.js';
import { ExamStore } from '../records/exam-store.js';
import { TASK_OF_EXAM } from '../protocol/exam-types.js';
import type { ExamType } from '../records/types.js';
import { buildApp } from '../server/app.js';
import type { Runtime } from '../server/runtime.js';
import { packageRoot } from '../util/package-root.js';
import { ConfigHolder } from './config-holder.js';
import { modelSwitch } from './model-switch.js';
import { wireModelUpdates } from './model-updates-wiring.js';
import { startDiskGuard } from './disk-wiring.js';
import { dataDirOf } from '../config/paths.js';
import { openSessions } from './sessions.js';
import { adoptLegacyEntries, makeProbeControl, startConfiguredSource, startUsbHotplug } from './sources.js';
import { wireSync } from './sync-wiring.js';
import { Teardown } from './teardown.js';

export interface Daemon {
  app: FastifyInstance;
  runtime: Runtime;
  db: Db;
  /** The config in force; a config reload (reload.ts) replaces it. */
  config: ConfigHolder;
  /** Base URL the server listens on. */
  url: string;
  /** Undoes everything start-up did, last-in first-out, each step bounded; never throws. */
  close(): Promise<void>;
}

export interface DaemonOptions {
  logger?: Logger;
  drivers?: SourceRegistry;
  /** Catch what nobody caught, process-wide (src/pipeline/fault-guard.ts); `serve` sets it, tests in a shared process do not. */
  guardProcess?: boolean;
  /** How long a driver's start()/stop() may take; defaults in src/pipeline/source-holder.ts. */
  sourceDeadlines?: Partial<SourceDeadlines>;
  /** The built web UI served at / (default web-ui/dist; the browser tests serve the test build, web-ui/dist-test). */
  webUiDir?: string;
}

/**
 * The context each task's analysis reads, by task name (the generic pipeline knows none of them). None is
 * registered yet: the fetal-head task's dating GA is not recorded by the daemon's exams; when it is, its
 * provider goes here, e.g. `'fetal-head': () => ({ datingGaWeeks: … })`.
 */
const TASK_CONTEXTS: Readonly<Record<string, TaskContextProvider | undefined>> = {};
const contextOf = (task: string): TaskContextProvider | undefined => TASK_CONTEXTS[task];

export async function startDaemon(loaded: LoadedConfig, options: DaemonOptions = {}): Promise<Daemon> {
  const log = options.logger ?? pino({ level: loaded.config.log.level, base: { app: 'sonoedge' } });
  const teardown = new Teardown(log);
  try {
    return await assemble(loaded, options, log, teardown);
  } catch (err) {
    await teardown.run();
    throw err;
  }
}

async function assemble(loaded: LoadedConfig, options: DaemonOptions, log: Logger, teardown: Teardown): Promise<Daemon> {
  const c = loaded.config;
  const config = new ConfigHolder(c);
  const dataDir = dataDirOf(loaded);
  const dbFile = join(dataDir, 'records.db');
  const dbKey = loadOrCreateKey(join(dataDir, 'keys', 'records.key'));
  const db = openDatabase(dbFile, dbKey);
  teardown.push('close the records database', () => db.close());
  // patient data and the calibration are owner-only, also when an older version made them world-readable
  makeOwnerOnly([...databaseFiles(dbFile), join(dataDir, 'calibration.json'), join(dataDir, 'region.json')]);
  const deviceSecret = loadOrCreateKey(join(dataDir, 'keys', 'device.secret'), process.env, 'sonoedge-device-secret');
  // refuses a non-loopback bind without TLS before anything listens; makes or reads the certificate
  const access = setUpAccess({ config: c, baseDir: loaded.baseDir, dataDir, db, deviceSecret });
  const store = new ExamStore(db);
  const sync = wireSync(loaded, db, store, { dbFile, dbKey, deviceSecret }, log);
  const drivers = options.drivers ?? builtinDrivers();
  // every source carries config.source.id; what identifies its device or input keys its calibration and region
  const createSource: Runtime['createSource'] = (driver, settings, id = config.current().source.id) =>
    rememberIdentity(drivers.create(driver, settings, { id, baseDir: loaded.baseDir, log }), identityOf(driver, settings, loaded.baseDir));
  const calibrations = new CalibrationStore(join(dataDir, 'calibration.json'));
  if (calibrations.problem) log.warn({ file: calibrations.file }, calibrations.problem);
  const regions = new RegionStore(join(dataDir, 'region.json'));
  if (regions.problem) log.warn({ file: regions.file }, regions.problem);
  adoptLegacyEntries(c, loaded.baseDir, [calibrations, regions], log);
  // Only the process-level guard asks the scope; without it, promises need not pay for async context (~+0.15 µs each).
  const scope = options.guardProcess ? new SourceScope() : undefined;
  const faults: FaultCounts | undefined = scope ? { attributed: 0, unattributed: 0, lastUnattributed: undefined } : undefined;
  const bus = new Bus((err, topic) => log.error({ err: errorMessage(err), topic }, 'bus handler failed'));
  const pipeline = new Pipeline(bus, [], {
    log,
    ...(scope ? { scope } : {}),
    calibrationFor: (s) => calibrations.spacingFor(identityOfSource(s).key),
    regionFor: (s) => regions.override(identityOfSource(s).key),
    ...(options.sourceDeadlines ? { sourceDeadlines: options.sourceDeadlines } : {}),
  });
  const modelGate = new ModelGate<ExamType>(
    () => pipeline.sessions().map((s) => ({ id: s.id, task: s.pkg.manifest.task })),
    (id, on) => pipeline.setModelEnabled(id, on),
    TASK_OF_EXAM,
  );
  const probe = makeProbeControl(c);
  const runtime: Runtime = {
    get config() {
      return config.current();
    },
    bus,
    metrics: new Registry(),
    startedAt: Date.now(),
    state: { ready: false, startupError: undefined },
    get sessions() {
      return pipeline.sessions();
    },
    pipeline,
    db,
    onExamClosed: sync.onExamClosed,
    sync: { outbox: sync.outbox, worker: sync.worker },
    reports: sync.reports,
    dataDir,
    createSource,
    driverNames: () => drivers.names(),
    networkPolicy: (d) => drivers.networkPolicy(d),
    calibrations,
    regions,
    faults,
    probe,
    modelGate,
    models: modelSwitch(pipeline, contextOf, log),
    webUiDir: options.webUiDir ?? join(packageRoot(), 'web-ui', 'dist'),
    access,
    tlsFingerprints: tlsFingerprints(c.server, dataDir, loaded.baseDir),
  };
  runtime.disk = startDiskGuard(dataDir, c, runtime, log, teardown);
  // Released after the server closed (pushed before it): whatever sessions the pipeline holds by then.
  teardown.push('release the model sessions', () => Promise.all(pipeline.sessions().map((s) => s.release().catch(() => {}))));
  runtime.modelUpdates = wireModelUpdates({ loaded, config, runtime, log }, teardown);
  const app = await buildApp(runtime, log);
  teardown.push('close the HTTP server', () => app.close());
  await app.listen({ host: c.server.host, port: c.server.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : c.server.port;
  const url = `${access.secure ? 'https' : 'http'}://${c.server.host.includes(':') ? `[${c.server.host}]` : c.server.host}:${port}`;
  try {
    const sessions = await openSessions(loaded, log, { inWorker: true });
    sessions.forEach((s, i) =>
      pipeline.addModel({
        runner: new ModelRunner(s, contextOf(s.pkg.manifest.task)),
        everyN: c.models[i]!.everyN,
        // a display option (the enhancer) starts off; the live plugin runs it while a viewer has it on
        enabled: s.pkg.manifest.task !== 'enhance',
      }),
    );
    modelGate.setOpenExams(store.openExamTypes());
    if (scope && faults) teardown.push('remove the process fault guard', installFaultGuard({ scope, pipeline: () => pipeline, log, counts: faults }));
    teardown.push('stop the pipeline and its source', () => pipeline.stop());
    await startConfiguredSource(pipeline, createSource, c, log);
    if (probe) {
      teardown.push('stop probe control', () => probe.stop());
      await probe.start((e) => {
        if (e.kind === 'freeze') pipeline.setFrozen(e.frozen);
        bus.publish('probe', e);
      });
    }
    await startUsbHotplug(pipeline, createSource, () => config.current(), log, teardown);
    sync.worker.start();
    teardown.push('stop the sync worker', () => sync.worker.stop());
    runtime.state.ready = true;
    if (access.services.users.count() === 0) {
      log.warn({ url }, `No account exists yet: create the first administrator on this device's own screen (open ${url}/ here), or run \`sonoedge users add NAME --role admin\``);
    }
    log.info({ url, provider: runtime.sessions[0]?.provider, source: c.source.driver }, `sonoedge ready: open ${url}/ in a browser`);
  } catch (err) {
    runtime.state.startupError = errorMessage(err);
    log.error({ err: errorMessage(err), code: (err as { code?: unknown }).code }, 'start-up failed');
    throw err;
  }
  return {
    app,
    runtime,
    db,
    config,
    url,
    async close() {
      runtime.state.ready = false;
      await teardown.run();
    },
  };
}
