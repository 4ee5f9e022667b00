/**
 * Model updates in the running daemon (issue 20): one ModelUpdateService over the device's model store, whose
 * installs open the package the way start-up does (on a worker thread, warmed) and swap it into the live
 * pipeline; every install, activation and rollback goes into the chained audit trail and onto the bus (topic
 * `model`, which the screen shows); the health window after an activation is fed by every model run the
 * pipeline publishes (topic `run`), so a model that starts failing is rolled back by itself.
 */
import type { Logger } from 'pino';
import { supportedTasks } from '../analysis/tasks.js';
import type { AuditEvent } from '../audit/audit-trail.js';
import type { LoadedConfig } from '../config/load.js';
import { dataDirOf, modelsDirOf } from '../config/paths.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { InferenceEngine } from '../inference/engine.js';
import { listModelPackages } from '../models/package.js';
import { outputsSane } from '../models/updates/health-window.js';
import type { ModelAuditEvent } from '../models/updates/installer.js';
import { trustStoreOf } from '../models/updates/keys.js';
import { ModelUpdateService } from '../models/updates/service.js';
import { ModelStore } from '../models/updates/store.js';
import type { TrialEngine } from '../models/updates/test-vectors.js';
import type { Runtime } from '../server/runtime.js';
import type { ConfigHolder } from './config-holder.js';
import { openSession } from './sessions.js';
import type { Teardown } from './teardown.js';

export interface ModelUpdatesWiringDeps {
  loaded: LoadedConfig;
  /** The config in force: keys, revocations and the health window are read at each use (a reload applies). */
  config: ConfigHolder;
  /** `access`: the chained audit trail, and the accounts (an installer's role goes into its audit row). */
  runtime: Pick<Runtime, 'bus' | 'models' | 'sessions' | 'access'>;
  log: Logger;
}

/** Actors that are not a person signed in: the health window, the CLI (`cli:<os user>`). */
function personOf(by: string): string | null {
  return by === 'health-window' || by.startsWith('cli:') ? null : by;
}

/** A model update's fact as a row of the accounts' audit trail (`client`: 'cli', or 'daemon' for the device itself). */
export function modelAuditRow(e: ModelAuditEvent, client: string, roleOf: (user: string) => string | null = () => null): AuditEvent {
  const by = typeof e.details.by === 'string' ? e.details.by : 'unknown';
  const user = personOf(by);
  return { user, role: user === null ? null : roleOf(user), client, action: e.action, target: e.target, outcome: e.outcome, details: e.details };
}

export function wireModelUpdates(d: ModelUpdatesWiringDeps, teardown: Teardown): ModelUpdateService {
  const { loaded, runtime, log } = d;
  const modelsDir = modelsDirOf(loaded);
  const store = new ModelStore(dataDirOf(loaded), modelsDir);
  const { audit: trail, users } = runtime.access.services;
  // Sessions opened by this wiring: only these may be swapped into the pipeline (typed, warmed, on a worker).
  const opened = new WeakMap<TrialEngine, InferenceEngine>();
  const announce = (action: string, outcome: 'ok' | 'failed', modelId: string, details: Record<string, unknown>): void =>
    runtime.bus.publish('model', { type: 'model', action, outcome, modelId, details });

  const service = new ModelUpdateService({
    store,
    trust: () => trustStoreOf(d.config.current().modelUpdates, loaded.baseDir),
    updates: () => d.config.current().modelUpdates,
    open: async (pkg) => {
      const engine = await openSession(loaded, pkg, log, { inWorker: true });
      opened.set(engine, engine);
      return engine;
    },
    swap: async (trial) => {
      const engine = opened.get(trial);
      if (!engine) throw new SonoError(ErrorCodes.MODEL_REPLACE_FAILED, `Model session on ${trial.file.path} was not opened by the daemon, so it cannot serve; install the package again.`);
      await runtime.models.replace(async () => engine);
    },
    bundledIds: () => listModelPackages(modelsDir).flatMap((p) => ('manifest' in p ? [p.manifest.id] : [])),
    knownTasks: supportedTasks(),
    audit: (e) => {
      try {
        trail.record(modelAuditRow(e, 'daemon', (name) => users.find(name)?.role ?? null));
      } catch (err) {
        log.error({ err: errorMessage(err), action: e.action, model: e.target }, 'model update could not be written to the audit trail');
      }
      announce(e.action, e.outcome, e.target, e.details);
    },
    onHealth: (state) => {
      log.info(
        { model: state.id, version: state.version, state: state.state, reason: 'reason' in state ? state.reason : undefined },
        `model ${state.id} ${state.version}: health window ${state.state}`,
      );
      announce('model.health', state.state === 'failed' ? 'failed' : 'ok', state.id, { ...state });
    },
    log,
  });

  // Every run of a model under watch counts; outside a window this costs one map lookup per run.
  const unsubscribe = runtime.bus.on('run', (run) => {
    const watched = service.health(run.modelId);
    if (watched?.state !== 'watching' || watched.version !== run.modelVersion) return;
    const manifest = runtime.sessions.find((s) => s.id === run.modelId && s.version === run.modelVersion)?.pkg.manifest;
    const sane = run.outputs !== undefined && manifest !== undefined && outputsSane(run.outputs, manifest.outputs);
    service.record(run.modelId, run.modelVersion, { error: run.error !== undefined, latencyMs: run.inferenceMs, sane });
  });
  teardown.push('stop feeding the model health window', unsubscribe);
  return service;
}
