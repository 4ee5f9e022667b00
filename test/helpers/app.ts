import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll } from 'vitest';
import { builtinDrivers } from '../../drivers/index.js';
import { setUpAccess } from '../../src/access/setup.js';
import { CalibrationStore } from '../../src/capture/calibration-store.js';
import type { Frame } from '../../src/capture/frame.js';
import { loadConfig } from '../../src/config/load.js';
import { Bus, type ResultEvent } from '../../src/pipeline/bus.js';
import { ModelGate } from '../../src/pipeline/model-gate.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { type Db, openDatabase } from '../../src/records/database.js';
import { TASK_OF_EXAM } from '../../src/protocol/exam-types.js';
import type { Exam } from '../../src/records/types.js';
import { buildApp } from '../../src/server/app.js';
import type { Runtime } from '../../src/server/runtime.js';
import { type TestAuth, addTokenUser } from './auth.js';
import { tempDir } from './tmp.js';

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  db: Db;
  dir: string;
  /** The admin token every inject() without credentials of its own carries; undefined with `anonymous`. */
  auth: TestAuth | undefined;
  close(): Promise<void>;
}

/** Makes `app.inject(…)` send `auth`'s token when the request names no Authorization or Cookie header. */
function injectWithToken(app: FastifyInstance, auth: TestAuth): void {
  const inject = app.inject.bind(app) as (o?: InjectOptions | string) => ReturnType<FastifyInstance['inject']>;
  const signed = (o?: InjectOptions | string): ReturnType<FastifyInstance['inject']> => {
    if (o === undefined) return inject();
    const opts: InjectOptions = typeof o === 'string' ? { url: o } : o;
    const headers = { ...(opts.headers ?? {}) } as Record<string, unknown>;
    if (!('authorization' in headers) && !('cookie' in headers)) headers.authorization = auth.headers.authorization;
    return inject({ ...opts, headers } as InjectOptions);
  };
  (app as { inject: unknown }).inject = signed;
}

/**
 * The HTTP app from `buildApp` over a Runtime of real small parts: a real encrypted SQLite file in a temp
 * folder, a real bus and pipeline (no models: no onnxruntime), the real driver registry. Requests go
 * through `app.inject()` (or `app.listen()` where a test needs a socket). Closed after the file's tests.
 */
export async function buildTestApp(options: { onExamClosed?: (exam: Exam, db: Db) => void; anonymous?: boolean } = {}): Promise<TestApp> {
  const dir = tempDir('sonoedge-app-');
  const log = pino({ level: 'silent' });
  const db = openDatabase(join(dir, 'records.db'), randomBytes(32).toString('hex'));
  const config = loadConfig(undefined, { env: {}, overrides: [[['dataDir'], dir], [['log', 'level'], 'silent']] }).config;
  const bus = new Bus(() => {});
  const calibrations = new CalibrationStore(join(dir, 'calibration.json'));
  const pipeline = new Pipeline(bus, [], { calibrationFor: (s) => calibrations.get(CalibrationStore.keyOf(s)) });
  const drivers = builtinDrivers();
  const access = setUpAccess({ config, baseDir: dir, dataDir: dir, db, deviceSecret: randomBytes(32).toString('hex') });
  const runtime: Runtime = {
    config, bus, metrics: new Registry(), startedAt: Date.now(), state: { ready: true, startupError: undefined }, sessions: [], pipeline, db,
    onExamClosed: (exam) => options.onExamClosed?.(exam, db),
    sync: undefined, dataDir: dir,
    createSource: (driver, settings, id = 'probe') => drivers.create(driver, settings, { id, baseDir: dir, log }),
    driverNames: () => drivers.names(), calibrations, faults: undefined, probe: undefined,
    modelGate: new ModelGate(() => [], () => {}, TASK_OF_EXAM),
    models: { replace: () => Promise.reject(new Error('No models in the test app')) },
    webUiDir: join(dir, 'no-web-ui'),
    access,
  };
  const app = await buildApp(runtime, log);
  const auth = options.anonymous ? undefined : await addTokenUser(access.services);
  if (auth) injectWithToken(app, auth);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await app.close();
    await pipeline.stop();
    db.close();
  };
  afterAll(close);
  return { app, runtime, db, dir, auth, close };
}

/** A gray frame whose imaging region is given, as a driver would deliver it. */
export function grayFrame(seq: number, width: number, height: number, region = { x: 0, y: 0, width, height }, timestampMs = 1000 + seq * 33): Frame {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seq) % 251;
  return { seq, timestampMs, width, height, channels: 1, data, pixelSpacing: { x: 0.2, y: 0.2 }, sourceId: 'probe', region };
}

/** A fetal-head result on `frame`, as the pipeline publishes it (the numbers are a plausible 21-week head). */
export function fetalHeadResult(frame: Frame): ResultEvent {
  const r = frame.region;
  return {
    type: 'result', seq: frame.seq, sourceId: frame.sourceId, frameTimestampMs: frame.timestampMs, modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu',
    timings: { queueMs: 1, preprocessMs: 1, handoffMs: 1, inferenceMs: 10, analysisMs: 1, totalMs: 14 },
    result: {
      task: 'fetal-head', detected: true, ellipse: { cx: r.x + r.width / 2, cy: r.y + r.height / 2, semiMajor: r.width / 4, semiMinor: r.height / 5, angleDeg: 10 },
      hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, confidence: 0.9,
      quality: { score: 0.8, components: { fitResidual: 0.9, edgeCut: 1, modelConfidence: 0.9, maskPlausibility: 0.9 } }, flags: [],
    },
  };
}

/** Publishes a frame and its fetal-head result on the bus, as the pipeline does. */
export function publishFrame(rt: Runtime, frame: Frame, withResult = true): void {
  rt.bus.publish('frame', frame);
  if (withResult) rt.bus.publish('result', fetalHeadResult(frame));
}
