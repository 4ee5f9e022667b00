import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import type { ModelPackage } from '../package.js';
import { readModelPackage } from '../package.js';
import { activateVersion } from './activation.js';
import type { ModelUpdatesConfig } from './config.js';
import { checkCompatible, checkNotOlder } from './compatibility.js';
import { checkGraphs } from './graph-check.js';
import type { TrustStore } from './keys.js';
import { STATEMENT_FILE, parseStatement } from './statement.js';
import { resolveActiveAsync } from './installed-async.js';
import type { ActiveModel, ModelStore } from './store.js';
import { type TrialEngine, type VectorResult, runTestVectors } from './test-vectors.js';
import type { VerifiedPackage } from './verify.js';
import { verifyPackageOffThread } from './verify-off-thread.js';
import type { InstallStep, InstallReport as StepsReport, StepReport } from '../../protocol/install-report.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One audited fact of an install (the accounts' audit trail takes it as is). */
export interface ModelAuditEvent {
  action: 'model.install' | 'model.activate' | 'model.rollback' | 'model.downgrade-override';
  outcome: 'ok' | 'failed';
  target: string;
  details: Record<string, unknown>;
}
export type ModelAudit = (event: ModelAuditEvent) => void | Promise<void>;

export type { StepReport };

/** The protocol's report (the steps and the refusal), with each test vector's result. */
export interface InstallReport extends StepsReport {
  testVectors?: VectorResult[];
}

export interface InstallOptions {
  store: ModelStore;
  trust: TrustStore;
  updates: Pick<ModelUpdatesConfig, 'maxPackageBytes' | 'allowDowngrade'>;
  /** Opens and warms the package on the execution provider in use (the daemon's or the CLI's session opener). */
  open: (pkg: ModelPackage) => Promise<TrialEngine>;
  /** Tasks this runtime can analyse; a package for another is refused. */
  knownTasks?: readonly string[];
  /** Activate after installing (default true). */
  activate?: boolean;
  /** The technician's explicit override of the anti-rollback check (audited). */
  allowDowngrade?: boolean;
  /** Who installs (user name, or 'cli'). */
  by: string;
  audit?: ModelAudit;
  /** Gets the warmed session when the new version is activated (the daemon swaps it in); otherwise it is released. */
  swap?: (engine: TrialEngine, pkg: ModelPackage) => Promise<void>;
  /** Progress, as each step ends. */
  onStep?: (report: StepReport) => void;
  /** Test hook: awaited at each crash point (see `INSTALL_PAUSE_POINTS`). */
  pause?: (point: string) => Promise<void>;
  now?: () => Date;
}

/** Where a test stops (and kills) the installer: after staging, after the version is moved in, inside the pointer swap. */
export const INSTALL_PAUSE_POINTS = ['staged', 'committed', 'pointer-written', 'pointer-renamed', 'activated'] as const;

/**
 * Installs a package file: extract → signature → hashes → manifest → compatibility → load → test vectors →
 * activate. Each failure is reported with its step and code and leaves the serving model as it was: nothing
 * reaches `<id>/<version>/` before the test vectors pass, and the active pointer changes in one atomic rename.
 */
export async function installPackage(bytes: Uint8Array, o: InstallOptions): Promise<InstallReport> {
  const report: InstallReport = { ok: false, activated: false, steps: [] };
  const pause = o.pause ?? (async (): Promise<void> => {});
  let current: StepReport | undefined;
  let t0 = 0;
  const begin = (step: InstallStep, detail?: string): void => {
    end();
    current = { step, ok: false, ms: 0, ...(detail ? { detail } : {}) };
    t0 = performance.now();
  };
  const end = (): void => {
    if (!current) return;
    current.ok = true;
    current.ms = Math.round(performance.now() - t0);
    report.steps.push(current);
    o.onStep?.(current);
    current = undefined;
  };
  let engine: TrialEngine | undefined;
  let staging: string | undefined;
  let verified: VerifiedPackage | undefined;
  let unlock: (() => void) | undefined;
  try {
    unlock = o.store.lock('the install of a package'); // first, before any await: a second install is refused at once
    // off the event loop (a worker thread): unpacking and hashing up to maxPackageBytes would stall the live view and the watchdog
    verified = await verifyPackageOffThread(bytes, { trust: o.trust, maxPackageBytes: o.updates.maxPackageBytes, now: o.now?.(), onStep: (s) => begin(s), ...(o.pause ? { pause } : {}) });
    const { manifest } = verified;
    report.id = manifest.id;
    report.version = manifest.version;
    report.signer = `${verified.signer.name} (${verified.signer.keyid})`;
    begin('compatibility');
    const serving = await servingOf(o.store, manifest.id);
    checkCompatible(manifest, serving?.pkg.manifest, o.knownTasks);
    const override = o.allowDowngrade === true || o.updates.allowDowngrade;
    checkNotOlder(manifest, serving?.version, override);
    checkSameVersionSameContent(o.store, verified);
    if (serving && override && serving.version !== manifest.version) {
      await o.audit?.({ action: 'model.downgrade-override', outcome: 'ok', target: manifest.id, details: { from: serving.version, to: manifest.version, by: o.by } });
    }
    current!.detail = serving ? `replaces ${serving.version} (${serving.source})` : 'new model';
    begin('load');
    staging = o.store.newStaging();
    await o.store.writeStaged(staging, verified.files);
    await pause('staged');
    const pkg = readModelPackage(staging, { id: manifest.id });
    await checkGraphs(pkg);
    try {
      engine = await o.open(pkg);
    } catch (err) {
      throw new SonoError(ErrorCodes.MODEL_LOAD_FAILED, `Model ${manifest.id} ${manifest.version} could not be loaded on this device: ${errorMessage(err)}`, { cause: err });
    }
    current!.detail = `${engine.file.path} on ${engine.provider}`;
    begin('test-vectors');
    report.testVectors = await runTestVectors(verified.files, manifest, engine);
    current!.detail = `${report.testVectors.length} outputs within tolerance`;
    begin('activate');
    try {
      pkg.dir = o.store.commitStaged(staging, manifest.id, manifest.version); // the session read its file already
      staging = undefined;
      o.store.appendHistory(manifest.id, { at: new Date().toISOString(), event: 'installed', version: manifest.version, by: o.by, detail: `signed by ${report.signer}` });
      await pause('committed');
      if (o.activate !== false) {
        await activateVersion(o.store, manifest.id, manifest.version, { by: o.by, reason: `installed from a package signed by ${report.signer}`, pause, lockHeld: true });
        await pause('activated');
        report.activated = true;
      }
    } catch (err) {
      if (err instanceof SonoError) throw err;
      throw new SonoError(ErrorCodes.MODEL_ACTIVATE_FAILED, `Model ${manifest.id} ${manifest.version} passed every check but could not be put in place: ${errorMessage(err)}. The serving model is unchanged; free disk space and install again.`, { cause: err });
    }
    const handOver = engine;
    engine = undefined;
    if (report.activated && o.swap) await o.swap(handOver, pkg);
    else await handOver.release();
    current!.detail = report.activated ? 'serving' : 'installed, not activated (?activate=false)';
    end();
    report.ok = true;
    await o.audit?.({ action: 'model.install', outcome: 'ok', target: manifest.id, details: { version: manifest.version, activated: report.activated, signer: report.signer, by: o.by } });
  } catch (err) {
    const e = err instanceof SonoError ? err : new SonoError(ErrorCodes.MODEL_LOAD_FAILED, errorMessage(err), { cause: err });
    const step = current?.step ?? 'extract';
    if (current) {
      current.ms = Math.round(performance.now() - t0);
      current.code = e.code;
      current.detail = e.message;
      report.steps.push(current);
      o.onStep?.(current);
    }
    report.failed = { step, code: e.code, message: e.message };
    if (report.id && e.code !== ErrorCodes.MODEL_INSTALL_BUSY) {
      o.store.appendHistory(report.id, { at: new Date().toISOString(), event: 'refused', version: report.version ?? null, by: o.by, detail: `${step}: ${e.code}` });
    }
    await o.audit?.({ action: 'model.install', outcome: 'failed', target: report.id ?? 'unknown', details: { version: report.version ?? null, step, code: e.code, by: o.by } });
  } finally {
    await engine?.release().catch(() => {});
    if (staging) o.store.dropStaging(staging);
    unlock?.();
  }
  return report;
}

async function servingOf(store: ModelStore, id: string): Promise<ActiveModel | undefined> {
  try {
    return await resolveActiveAsync(store, id);
  } catch (err) {
    if (err instanceof SonoError && err.code === ErrorCodes.MODEL_NOT_FOUND && store.installedVersions(id).length === 0) return undefined; // a model new to this device
    throw err;
  }
}

/** The same version installed twice must be the same package: a different one under an old number is a mix-and-match attack. */
function checkSameVersionSameContent(store: ModelStore, v: VerifiedPackage): void {
  const path = join(store.versionDir(v.manifest.id, v.manifest.version), STATEMENT_FILE);
  if (!existsSync(path)) return;
  let same = false;
  try {
    same = JSON.stringify(parseStatement(readFileSync(path)).payload.files) === JSON.stringify(v.statement.payload.files);
  } catch {
    return; // an unreadable leftover is replaced
  }
  if (!same) {
    throw new SonoError(ErrorCodes.MODEL_VERSION_CONFLICT, `Model ${v.manifest.id} ${v.manifest.version} is already installed with different contents; a new build must carry a new version number.`, { details: { version: v.manifest.version } });
  }
}
