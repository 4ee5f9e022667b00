import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import type { ModelPackage } from '../package.js';
import { markActivation } from './health-mark.js';
import { resolveActiveAsync, verifyInstalledAsync } from './installed-async.js';
import type { ActiveModel, ActivePointer, HistoryEvent, ModelStore } from './store.js';

const TRAIL_LENGTH = 10;

export interface ActivateOptions {
  by: string;
  reason: string;
  pause?: (point: string) => Promise<void>;
  /** History event to record (default 'activated'). */
  event?: HistoryEvent['event'];
  /** The caller holds the store's update lock (the installer); otherwise it is taken here. */
  lockHeld?: boolean;
}

/**
 * Makes `version` (null = the bundled package) the one that serves `id`, after checking its files again.
 * The version that served before goes on the trail that `rollback` walks back.
 */
export async function activateVersion(store: ModelStore, id: string, version: string | null, o: ActivateOptions): Promise<ModelPackage> {
  const unlock = o.lockHeld ? undefined : store.lock(`the activation of ${id} ${version ?? '(bundled)'}`);
  try {
    return await activateLocked(store, id, version, o);
  } finally {
    unlock?.();
  }
}

async function activateLocked(store: ModelStore, id: string, version: string | null, o: ActivateOptions): Promise<ModelPackage> {
  let pkg: ModelPackage;
  try {
    pkg = version === null ? store.bundled(id) : await verifyInstalledAsync(store, id, version);
  } catch (err) {
    const installed = store.installedVersions(id);
    throw new SonoError(
      ErrorCodes.MODEL_VERSION_NOT_INSTALLED,
      `Model ${id} ${version ?? '(bundled)'} cannot be activated: ${errorMessage(err)}. Installed here: ${installed.join(', ') || 'none'}.`,
      { cause: err, details: { id, version } },
    );
  }
  const old = store.readPointer(id);
  const previous = old ? old.version : null;
  const trail = old ? [...old.trail, old.version] : [null];
  const pointer: ActivePointer = {
    version,
    trail: (previous === version ? old!.trail : trail).slice(-TRAIL_LENGTH),
    activatedAt: new Date().toISOString(),
    by: o.by,
    reason: o.reason,
  };
  // the health window's mark first: a pointer to a new installed version never exists without it (health-mark.ts)
  if (version !== null) markActivation(store, id, version, pointer.activatedAt);
  await store.writePointer(id, pointer, o.pause);
  store.appendHistory(id, { at: pointer.activatedAt, event: o.event ?? 'activated', version, by: o.by, detail: o.reason });
  return pkg;
}

/**
 * Goes back to the version that served before (the newest on the trail that still verifies; the bundled
 * package at the end). Throws MODEL_NO_PREVIOUS_VERSION when the bundled package already serves.
 */
export async function rollbackModel(store: ModelStore, id: string, o: { by: string; reason: string; lockHeld?: boolean }): Promise<{ from: string; to: string; pkg: ModelPackage }> {
  const unlock = o.lockHeld ? undefined : store.lock(`a rollback of ${id}`);
  try {
    return await rollbackLocked(store, id, o);
  } finally {
    unlock?.();
  }
}

async function rollbackLocked(store: ModelStore, id: string, o: { by: string; reason: string }): Promise<{ from: string; to: string; pkg: ModelPackage }> {
  const pointer = store.readPointer(id);
  if (!pointer || pointer.version === null) {
    throw new SonoError(ErrorCodes.MODEL_NO_PREVIOUS_VERSION, `Model ${id} runs its bundled (factory) package; there is nothing older to roll back to.`, { details: { id } });
  }
  const trail = [...pointer.trail];
  const skipped: string[] = [];
  while (trail.length > 0) {
    const target = trail.pop()!;
    try {
      const pkg = target === null ? store.bundled(id) : await verifyInstalledAsync(store, id, target);
      const next: ActivePointer = { version: target, trail, activatedAt: new Date().toISOString(), by: o.by, reason: o.reason };
      await store.writePointer(id, next);
      const detail = `${o.reason}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}`;
      store.appendHistory(id, { at: next.activatedAt, event: 'rolled-back', version: target, by: o.by, detail: `from ${pointer.version}: ${detail}` });
      return { from: pointer.version, to: target ?? `${pkg.manifest.version} (bundled)`, pkg };
    } catch (err) {
      skipped.push(`${target ?? 'bundled'}: ${errorMessage(err)}`);
    }
  }
  throw new SonoError(ErrorCodes.MODEL_NO_PREVIOUS_VERSION, `Model ${id} has no earlier version that still verifies (${skipped.join('; ')}); install a package.`, { details: { id } });
}

export interface ModelVersionsView {
  id: string;
  active: { version: string; source: 'installed' | 'bundled'; why: string } | { error: string };
  bundled: string | null;
  installed: Array<{ version: string; active: boolean }>;
  history: HistoryEvent[];
}

/** Every model known here (bundled or installed): what serves and why, what is installed, what happened (the CLI's view). */
export function describeModels(store: ModelStore, bundledIds: readonly string[]): ModelVersionsView[] {
  return knownIds(store, bundledIds).map((id) => describeModel(store, id, () => store.resolveActive(id)));
}

/** `describeModels` with every installed file streamed: a running daemon's GET /api/models never stalls on hashing a model. */
export async function describeModelsAsync(store: ModelStore, bundledIds: readonly string[]): Promise<ModelVersionsView[]> {
  const out: ModelVersionsView[] = [];
  for (const id of knownIds(store, bundledIds)) {
    let resolved: ActiveModel | Error;
    try {
      resolved = await resolveActiveAsync(store, id);
    } catch (err) {
      resolved = err instanceof Error ? err : new Error(String(err));
    }
    out.push(describeModel(store, id, () => {
      if (resolved instanceof Error) throw resolved;
      return resolved;
    }));
  }
  return out;
}

const knownIds = (store: ModelStore, bundledIds: readonly string[]): string[] => [...new Set([...bundledIds, ...store.installedIds()])].sort();

function describeModel(store: ModelStore, id: string, resolve: () => ActiveModel): ModelVersionsView {
  let active: ModelVersionsView['active'];
  let activeInstalled: string | undefined;
  try {
    const a = resolve();
    active = { version: a.version, source: a.source, why: a.why };
    if (a.source === 'installed') activeInstalled = a.version;
  } catch (err) {
    active = { error: errorMessage(err) };
  }
  let bundled: string | null = null;
  try {
    bundled = store.bundled(id).manifest.version;
  } catch {
    bundled = null;
  }
  return { id, active, bundled, installed: store.installedVersions(id).map((v) => ({ version: v, active: v === activeInstalled })), history: store.history(id) };
}
