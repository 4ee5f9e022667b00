import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import type { ModelPackage } from '../package.js';
import { describeModelsAsync, rollbackModel, type ModelVersionsView } from './activation.js';
import type { ModelUpdatesConfig } from './config.js';
import { type HealthMark, currentMark, updateMark } from './health-mark.js';
import { HealthWindow, type HealthState, type WatchedResult } from './health-window.js';
import { type InstallReport, type ModelAudit, installPackage } from './installer.js';
import type { TrustStore } from './keys.js';
import type { ModelStore } from './store.js';
import type { TrialEngine } from './test-vectors.js';

export interface ModelUpdateDeps {
  store: ModelStore;
  /** Read at each use, so a config reload (new keys, a revocation) applies to the next install. */
  trust(): TrustStore;
  updates(): ModelUpdatesConfig;
  /** Opens and warms a package on the provider in use (the daemon: on a worker thread). */
  open(pkg: ModelPackage): Promise<TrialEngine>;
  /** Puts a warmed session in the live pipeline in place of the running one (the daemon's model switch). */
  swap?(engine: TrialEngine, pkg: ModelPackage): Promise<void>;
  /** Ids the bundled models directory holds (listed even when nothing is installed). */
  bundledIds(): readonly string[];
  knownTasks?: readonly string[];
  audit?: ModelAudit;
  /** Told when a health window ends (the screen shows it). */
  onHealth?(state: HealthState): void;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface ModelsView {
  models: Array<ModelVersionsView & { health: HealthState | null }>;
}

/**
 * Model updates in a running daemon: install (→ warmed session swapped into the pipeline), the health
 * window that follows each activation (fed by the pipeline's results; a failure rolls back by itself),
 * manual rollback, and the versions view. One update at a time (the store's lock): an install, a rollback
 * or the automatic rollback asked while another runs is refused at once with MODEL_INSTALL_BUSY (the
 * automatic one waits for it instead, then rolls back only if the failed version still serves).
 */
export class ModelUpdateService {
  readonly #health = new Map<string, HealthWindow>();
  readonly #last = new Map<string, HealthState>();
  /** The pointer's `activatedAt` of each window, which ties it to its mark on disk (health-mark.ts). */
  readonly #activation = new Map<string, string>();

  /** Resumes the window of every active version still under watch on disk (a restart, or a CLI install or activation). */
  constructor(readonly deps: ModelUpdateDeps) {
    for (const id of deps.store.installedIds()) {
      try {
        const mark = currentMark(deps.store, id);
        if (mark?.state === 'passed') {
          const { version, seen, errors, slow, insane } = mark;
          this.#last.set(id, { state: 'passed', id, version, seen, of: deps.updates().healthWindow.results, errors, slow, insane, reason: mark.reason ?? '' });
        }
        if (!mark || mark.state === 'passed') continue;
        // a failed one whose rollback was never written fails again at its next result, and rolls back then
        this.#watch(id, mark.version, mark);
        deps.log?.info({ model: id, version: mark.version, seen: mark.seen }, `model ${id} ${mark.version} is still under its health window (${mark.seen} results so far); watching it again`);
      } catch (err) {
        deps.log?.warn({ model: id, err: errorMessage(err) }, `the health window of model ${id} could not be read`);
      }
    }
  }

  async install(bytes: Uint8Array, o: { by: string; activate?: boolean; allowDowngrade?: boolean; onStep?: Parameters<typeof installPackage>[1]['onStep'] }): Promise<InstallReport> {
    const d = this.deps;
    const report = await installPackage(bytes, {
      store: d.store, trust: d.trust(), updates: d.updates(), open: (pkg) => d.open(pkg), knownTasks: d.knownTasks, audit: d.audit,
      activate: o.activate, allowDowngrade: o.allowDowngrade, by: o.by, onStep: o.onStep, ...(d.swap ? { swap: (e, p) => d.swap!(e, p) } : {}),
    });
    if (report.ok && report.activated) this.#watch(report.id!, report.version!);
    return report;
  }

  /** Goes back one version and swaps it into the pipeline. */
  async rollback(id: string, by: string, reason = 'rolled back by a technician'): Promise<{ from: string; to: string }> {
    // taken before any await, and held until the older version is swapped in: no install interleaves
    const unlock = this.deps.store.lock(`a rollback of ${id}`);
    try {
      const r = await rollbackModel(this.deps.store, id, { by, reason, lockHeld: true });
      this.#health.delete(id);
      this.#activation.delete(id);
      try {
        if (this.deps.swap) await this.deps.swap(await this.deps.open(r.pkg), r.pkg);
        await this.deps.audit?.({ action: 'model.rollback', outcome: 'ok', target: id, details: { from: r.from, to: r.to, by, reason } });
      } catch (err) {
        // the pointer already says the older version: a restart serves it even if the live swap failed
        await this.deps.audit?.({ action: 'model.rollback', outcome: 'failed', target: id, details: { from: r.from, to: r.to, by, error: errorMessage(err) } });
        throw err;
      }
      return { from: r.from, to: r.to };
    } finally {
      unlock();
    }
  }

  /** Fed by the pipeline with each result of model `id` at `version`; only the version under watch counts. */
  record(id: string, version: string, result: WatchedResult): void {
    const w = this.#health.get(id);
    if (!w || w.version !== version) return;
    w.record(result);
    const s = w.state; // a verdict was written by #verdict; a checkpoint every twentieth of the window
    if (s.state === 'watching' && s.seen % Math.ceil(s.of / 20) === 0) this.#persist(s);
  }

  health(id: string): HealthState | null {
    return this.#health.get(id)?.state ?? this.#last.get(id) ?? null;
  }

  async list(): Promise<ModelsView> {
    return { models: (await describeModelsAsync(this.deps.store, this.deps.bundledIds())).map((m) => ({ ...m, health: this.health(m.id) })) };
  }

  #watch(id: string, version: string, mark: HealthMark | undefined = currentMark(this.deps.store, id)): void {
    const from = mark?.version === version ? mark : undefined;
    const w = new HealthWindow(id, version, this.deps.updates().healthWindow, (state) => void this.#verdict(state), from);
    this.#health.set(id, w);
    if (from) this.#activation.set(id, from.activatedAt);
    else this.#activation.delete(id);
  }

  /** Writes the window's counts or verdict into its mark, so a restarted daemon goes on from there. */
  #persist(state: HealthState): void {
    const activatedAt = this.#activation.get(state.id);
    if (activatedAt === undefined) return;
    const { id, version, seen, errors, slow, insane } = state;
    const why = updateMark(this.deps.store, id, { version, activatedAt, state: state.state, seen, errors, slow, insane, ...('reason' in state ? { reason: state.reason } : {}) });
    if (why && state.state !== 'watching') this.deps.log?.warn({ model: id, version, err: why }, `the health window verdict of ${id} ${version} was not written (a restart watches it again)`);
  }

  async #verdict(state: HealthState): Promise<void> {
    this.#persist(state);
    this.#health.delete(state.id);
    this.#activation.delete(state.id);
    this.#last.set(state.id, state);
    this.deps.onHealth?.(state);
    const reason = 'reason' in state ? state.reason : '';
    this.deps.store.appendHistory(state.id, { at: new Date().toISOString(), event: state.state === 'failed' ? 'health-failed' : 'health-passed', version: state.version, by: 'health-window', detail: reason });
    if (state.state !== 'failed') return;
    this.deps.log?.warn({ model: state.id, version: state.version, reason }, `model ${state.id} ${state.version} failed its health window; rolling back`);
    const store = this.deps.store;
    for (;;) {
      await store.idle(); // an install or rollback running here ends first
      if (store.readPointer(state.id)?.version !== state.version) {
        this.deps.log?.info({ model: state.id, version: state.version }, `model ${state.id} ${state.version} no longer serves; no automatic rollback`);
        return;
      }
      try {
        await this.rollback(state.id, 'health-window', `health window failed: ${reason}`);
        return;
      } catch (err) {
        // another update here took the lock first: wait for it in turn; anything else (another process's lock) is logged
        if (err instanceof SonoError && err.code === ErrorCodes.MODEL_INSTALL_BUSY && store.lockedHere()) continue;
        this.deps.log?.warn({ model: state.id, err: errorMessage(err) }, 'automatic rollback failed');
        return;
      }
    }
  }
}
