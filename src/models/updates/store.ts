import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { type ModelPackage, findModelPackage, readModelPackage } from '../package.js';
import { fsyncDir, fsyncPath, replaceAtomically, writeDurable } from './durable.js';
import { STATEMENT_FILE, parseStatement, sha256Hex } from './statement.js';
import { compareVersions } from './version.js';

/**
 * Installed model versions under `<dataDir>/models/`:
 *
 *   <id>/<version>/        a complete, verified package (renamed in only once every file is fsynced)
 *   <id>/active            JSON pointer { version, trail, ... }, replaced atomically; version null = bundled
 *   <id>/history.jsonl     one line per install, activation, rollback and refusal (append + fsync)
 *   .staging/<random>/     packages being installed; whatever is left here after a crash is removed
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

  modelDir(id: string): string {
    return join(this.root, id);
  }

  versionDir(id: string, version: string): string {
    return join(this.root, id, version);
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
      .filter((v) => /^\d+\.\d+\.\d+/.test(v) && existsSync(join(dir, v, STATEMENT_FILE)))
      .sort((a, b) => compareVersions(b, a));
  }

  /** Model ids with anything installed. */
  installedIds(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).filter((n) => !n.startsWith('.') && statSync(join(this.root, n)).isDirectory()).sort();
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
        throw new SonoError(ErrorCodes.MODEL_FILE_MISSING, `Installed model ${id} ${version} lacks ${name} (${errorMessage(err)}); reinstall the package.`, { cause: err });
      }
      if (sha256Hex(bytes) !== sha) throw new SonoError(ErrorCodes.MODEL_FILE_CORRUPT, `Installed model ${id} ${version}: ${name} no longer matches its signed SHA-256; reinstall the package.`);
    }
    if (pkg.manifest.version !== version) throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Installed model folder ${dir} holds version ${pkg.manifest.version}; reinstall the package.`);
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
        const pkg = this.verifyInstalled(id, version);
        const why = problems.length === 0 ? `activated ${pointer!.activatedAt} by ${pointer!.by}: ${pointer!.reason}` : `fallback: ${problems.join('; ')}`;
        return { pkg, source: 'installed', version, why };
      } catch (err) {
        problems.push(`${version} failed its check (${errorMessage(err)})`);
      }
    }
    const pkg = this.bundled(id);
    const why = problems.length > 0 ? `fallback to the bundled package: ${problems.join('; ')}` : pointer ? `activated ${pointer.activatedAt} by ${pointer.by}: ${pointer.reason}` : 'bundled (factory) package, nothing installed';
    return { pkg, source: 'bundled', version: pkg.manifest.version, why };
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

  /** A fresh staging folder; folders left by a killed install are removed first. */
  newStaging(): string {
    const root = join(this.root, '.staging');
    rmSync(root, { recursive: true, force: true });
    const dir = join(root, randomBytes(6).toString('hex'));
    mkdirSync(join(dir, 'test-vectors'), { recursive: true });
    return dir;
  }

  writeStaged(dir: string, files: ReadonlyMap<string, Uint8Array>): void {
    for (const [name, bytes] of files) writeDurable(join(dir, name), bytes);
    fsyncDir(join(dir, 'test-vectors'));
    fsyncDir(dir);
  }

  /** Moves a verified staging folder to `<id>/<version>/` durably. */
  commitStaged(dir: string, id: string, version: string): string {
    const target = this.versionDir(id, version);
    mkdirSync(this.modelDir(id), { recursive: true });
    rmSync(target, { recursive: true, force: true }); // a half-removed or unverifiable leftover of the same version
    renameSync(dir, target);
    fsyncDir(this.modelDir(id));
    return target;
  }

  /** Takes the install lock (one install at a time); a lock left by a killed process is taken over. */
  lock(): () => void {
    mkdirSync(this.root, { recursive: true });
    const path = join(this.root, '.install.lock');
    for (let tries = 0; tries < 2; tries++) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        return () => rmSync(path, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(path, 'utf8'));
        if (pid > 0 && pid !== process.pid && alive(pid)) {
          throw new SonoError(ErrorCodes.MODEL_INSTALL_BUSY, `Another model install (process ${pid}) is running; wait for it to finish and try again.`);
        }
        rmSync(path, { force: true });
      }
    }
    throw new SonoError(ErrorCodes.MODEL_INSTALL_BUSY, `The install lock ${path} could not be taken; try again.`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
