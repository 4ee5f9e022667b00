import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { isModelId, isModelVersion } from '../manifest.js';
import { type ModelPackage, findModelPackage, readModelPackage } from '../package.js';
import { fsyncDir, fsyncPath, fsyncPathAsync, replaceAtomically, writeDurableAsync } from './durable.js';
import { STATEMENT_FILE, parseStatement, sha256Hex } from './statement.js';
import { compareVersions } from './version.js';
import { alive, directChild, inside } from './store-paths.js';
import { bundledWhy, installedFileCorrupt, installedFileMissing, installedVersionWrong, installedWhy } from './installed-checks.js';

/**
 * Installed model versions under `<dataDir>/models/`:
 *
 *   <id>/<version>/        a complete, verified package (renamed in only once every file is fsynced)
 *   <id>/active            JSON pointer { version, trail, ... }, replaced atomically; version null = bundled
 *   <id>/history.jsonl     one line per install, activation, rollback and refusal (append + fsync)
 *   .staging/<pid>-<random>/  packages being installed; what a dead process (or an earlier run of this one) left is removed
 *   .install.lock          pid of the process that holds the update lock (install, activate, rollback)
 *
 * The bundled models (`modelsDir`) are the factory fallback: with no pointer, or when the pointed-to
 * version no longer verifies, the model runs from there.
 */

export interface ActivePointer {
  /** Installed version that serves; null = the bundled (factory) package. */
  version: string | null;
  /** Versions active before, oldest first (null = bundled): `rollback` goes back along it. */
  trail: Array<string | null>;
  activatedAt: string;
  by: string;
  reason: string;
}

export type HistoryEvent = {
  at: string;
  event: 'installed' | 'activated' | 'rolled-back' | 'refused' | 'health-failed' | 'health-passed';
  version: string | null;
  by: string;
  detail?: string;
};

export interface ActiveModel {
  pkg: ModelPackage;
  source: 'installed' | 'bundled';
  version: string;
  /** Why this one serves (e.g. the pointed-to version failed its check, with the reason). */
  why: string;
}

export class ModelStore {
  readonly root: string;

  constructor(
    dataDir: string,
    readonly bundledDir: string,
  ) {
    this.root = join(dataDir, 'models');
  }

  /** `<root>/<id>`; refuses (MODEL_ID_INVALID) an id that is not a plain model id or would not be a direct child of the root. */
  modelDir(id: string): string {
    if (!isModelId(id)) throw new SonoError(ErrorCodes.MODEL_ID_INVALID, `Model id ${JSON.stringify(id)} is not a model id (lowercase letters, digits and '-'); check the id.`, { details: { field: 'id' } });
    directChild(this.root, id, ErrorCodes.MODEL_ID_INVALID, 'id');
    return join(this.root, id);
  }

  /**
   * `<root>/<id>/<version>`; refuses (MODEL_VERSION_INVALID) a version that is not a plain semantic version or
   * would not be a direct child of `<root>/<id>`: package-supplied strings never choose another folder.
   */
  versionDir(id: string, version: string): string {
    if (!isModelVersion(version)) {
      throw new SonoError(ErrorCodes.MODEL_VERSION_INVALID, `Model version ${JSON.stringify(version)} is not a semantic version (MAJOR.MINOR.PATCH with an optional -pre-release and +build); check the version.`, { details: { field: 'version' } });
    }
    const dir = this.modelDir(id);
    directChild(dir, version, ErrorCodes.MODEL_VERSION_INVALID, 'version');
    return join(dir, version);
  }

  readPointer(id: string): ActivePointer | undefined {
    const path = join(this.modelDir(id), 'active');
    if (!existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as ActivePointer;
    } catch {
      return undefined; // cannot happen with atomic replacement; if it does, the bundled model serves
    }
  }

  async writePointer(id: string, pointer: ActivePointer, pause?: (point: string) => Promise<void>): Promise<void> {
    mkdirSync(this.modelDir(id), { recursive: true });
    await replaceAtomically(join(this.modelDir(id), 'active'), Buffer.from(JSON.stringify(pointer, null, 2) + '\n'), pause);
  }

  /** Installed versions of `id`, newest first. */
  installedVersions(id: string): string[] {
    const dir = this.modelDir(id);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((v) => isModelVersion(v) && existsSync(join(dir, v, STATEMENT_FILE)))
      .sort((a, b) => compareVersions(b, a));
  }

  /** Model ids with anything installed. */
  installedIds(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).filter((n) => isModelId(n) && statSync(join(this.root, n)).isDirectory()).sort();
  }

  /** Reads an installed version and checks every file against the statement kept with it. */
  verifyInstalled(id: string, version: string): ModelPackage {
    const dir = this.versionDir(id, version);
    const pkg = readModelPackage(dir, { id });
    const statement = parseStatement(readFileSync(join(dir, STATEMENT_FILE)));
    for (const [name, sha] of Object.entries(statement.payload.files)) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dir, name));
      } catch (err) {
        throw installedFileMissing(id, version, name, err);
      }
      if (sha256Hex(bytes) !== sha) throw installedFileCorrupt(id, version, name);
    }
    if (pkg.manifest.version !== version) throw installedVersionWrong(dir, pkg);
    return pkg;
  }

  /** The bundled (factory) package; an unknown id names the available ones. */
  bundled(id: string): ModelPackage {
    return findModelPackage(this.bundledDir, id);
  }

  /** The package that serves `id`: the active installed version if it verifies, else back along its trail, else the bundled one. */
  resolveActive(id: string): ActiveModel {
    const pointer = this.readPointer(id);
    const problems: string[] = [];
    const candidates = pointer ? [pointer.version, ...[...pointer.trail].reverse()] : [null];
    for (const version of candidates) {
      if (version === null) break;
      try {
        return { pkg: this.verifyInstalled(id, version), source: 'installed', version, why: installedWhy(pointer!, problems) };
      } catch (err) {
        problems.push(`${version} failed its check (${errorMessage(err)})`);
      }
    }
    const pkg = this.bundled(id);
    return { pkg, source: 'bundled', version: pkg.manifest.version, why: bundledWhy(pointer, problems) };
  }

  appendHistory(id: string, event: HistoryEvent): void {
    mkdirSync(this.modelDir(id), { recursive: true });
    const path = join(this.modelDir(id), 'history.jsonl');
    writeFileSync(path, JSON.stringify(event) + '\n', { flag: 'a' });
    fsyncPath(path, 'r+');
  }

  /** The history, oldest first; a line torn by a power cut is skipped. */
  history(id: string): HistoryEvent[] {
    const path = join(this.modelDir(id), 'history.jsonl');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return line ? [JSON.parse(line) as HistoryEvent] : [];
        } catch {
          return [];
        }
      });
  }

  /**
   * A fresh staging folder `<pid>-<random>`, made under the update lock. Leftovers are removed first: folders of
   * a dead process, and this process's own folders that no live install here uses (an earlier process with
   * the same pid, or a cleanup that failed). A live install's folder is never touched.
   */
  newStaging(): string {
    const root = join(this.root, '.staging');
    mkdirSync(root, { recursive: true });
    for (const name of readdirSync(root)) {
      const path = join(root, name);
      const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? 0);
      const leftover = pid === process.pid ? !liveStaging.has(resolve(path)) : !(pid > 0 && alive(pid));
      if (leftover) rmSync(path, { recursive: true, force: true });
    }
    const dir = join(root, `${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(join(dir, 'test-vectors'), { recursive: true });
    liveStaging.add(resolve(dir));
    return dir;
  }

  /** Removes a staging folder this process made (an install that failed). */
  dropStaging(dir: string): void {
    const path = this.#stagingOf(dir);
    rmSync(path, { recursive: true, force: true });
    liveStaging.delete(path);
  }

  /** Writes a verified package's files into its staging folder, durably, off the event loop (up to maxPackageBytes). */
  async writeStaged(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
    for (const [name, bytes] of files) await writeDurableAsync(join(dir, name), bytes);
    await fsyncPathAsync(join(dir, 'test-vectors'));
    await fsyncPathAsync(dir);
  }

  /** Moves a verified staging folder to `<id>/<version>/` durably. */
  commitStaged(dir: string, id: string, version: string): string {
    const staged = this.#stagingOf(dir);
    const target = this.versionDir(id, version);
    mkdirSync(this.modelDir(id), { recursive: true });
    // a half-removed or unverifiable leftover of the same version; never anything outside the models folder
    rmSync(inside(this.root, target), { recursive: true, force: true });
    renameSync(staged, target);
    liveStaging.delete(staged);
    fsyncDir(this.modelDir(id));
    return target;
  }

  /** `dir` resolved, refused unless it is a folder of `<root>/.staging/`. */
  #stagingOf(dir: string): string {
    return directChild(join(this.root, '.staging'), basename(dir), ErrorCodes.MODEL_ACTIVATE_FAILED, 'staging folder', resolve(dir));
  }

  /**
   * Takes the update lock: one install, activation or rollback at a time, in this process (any ModelStore on
   * the same folder) and across processes (the lock file, e.g. the CLI beside the daemon). Busy →
   * MODEL_INSTALL_BUSY at once, saying what holds it. A lock file is taken over only when its process is dead
   * (or is this process, which does not hold it: a leftover of an earlier process that had this pid).
   * Returns the release (idempotent).
   */
  lock(what = 'a model install'): () => void {
    const key = resolve(this.root);
    const holder = heldHere.get(key);
    if (holder) throw new SonoError(ErrorCodes.MODEL_INSTALL_BUSY, `Another model update (${holder.what}) is running; wait for it to finish and try again.`, { details: { holder: holder.what } });
    mkdirSync(this.root, { recursive: true });
    const path = join(this.root, '.install.lock');
    let taken = false;
    for (let tries = 0; tries < 2 && !taken; tries++) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        taken = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(path, 'utf8'));
        if (pid > 0 && pid !== process.pid && alive(pid)) {
          throw new SonoError(ErrorCodes.MODEL_INSTALL_BUSY, `Another model update (process ${pid}) is running; wait for it to finish and try again.`, { details: { pid } });
        }
        rmSync(path, { force: true });
      }
    }
    if (!taken) throw new SonoError(ErrorCodes.MODEL_INSTALL_BUSY, `The model update lock ${path} could not be taken; try again.`);
    let done!: () => void;
    const released = new Promise<void>((r) => (done = r));
    heldHere.set(key, { what, released });
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      try {
        if (existsSync(path) && Number(readFileSync(path, 'utf8')) === process.pid) rmSync(path, { force: true });
      } finally {
        heldHere.delete(key);
        done();
      }
    };
  }

  /** Whether this process holds the update lock on this folder now. */
  lockedHere(): boolean {
    return heldHere.has(resolve(this.root));
  }

  /** Resolves once no update in this process holds the lock (at once when none does). */
  async idle(): Promise<void> {
    for (let h = heldHere.get(resolve(this.root)); h; h = heldHere.get(resolve(this.root))) await h.released;
  }
}

/** Update locks held in this process, by resolved models folder. */
const heldHere = new Map<string, { what: string; released: Promise<void> }>();
/** Staging folders (resolved) of installs running in this process. */
const liveStaging = new Set<string>();
