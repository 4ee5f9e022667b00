import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { type ModelPackage, readModelPackage } from '../package.js';
import { installedFileCorrupt, installedFileMissing, installedVersionWrong, installedWhy, bundledWhy } from './installed-checks.js';
import { STATEMENT_FILE, parseStatement } from './statement.js';
import type { ActiveModel, ModelStore } from './store.js';

/**
 * The checks of an installed version that read every file (up to modelUpdates.maxPackageBytes), streamed:
 * what the daemon runs while it serves (an install's compatibility and activate steps, a rollback,
 * GET /api/models), so the live view and the watchdog never wait on a whole model being hashed at once.
 * Same checks, same errors and same reasons as the store's synchronous `verifyInstalled` / `resolveActive`
 * (start-up and the CLI): both build them with installed-checks.ts.
 */

/** SHA-256 of a file read in 1 MiB pieces, the event loop turning between them. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** `store.verifyInstalled`, streamed. */
export async function verifyInstalledAsync(store: ModelStore, id: string, version: string): Promise<ModelPackage> {
  const dir = store.versionDir(id, version);
  const pkg = readModelPackage(dir, { id });
  const statement = parseStatement(await readFile(join(dir, STATEMENT_FILE)));
  for (const [name, sha] of Object.entries(statement.payload.files)) {
    let got: string;
    try {
      got = await sha256File(join(dir, name));
    } catch (err) {
      throw installedFileMissing(id, version, name, err);
    }
    if (got !== sha) throw installedFileCorrupt(id, version, name);
  }
  if (pkg.manifest.version !== version) throw installedVersionWrong(dir, pkg);
  return pkg;
}

/** `store.resolveActive`, streamed: the active installed version if it verifies, else back along its trail, else the bundled one. */
export async function resolveActiveAsync(store: ModelStore, id: string): Promise<ActiveModel> {
  const pointer = store.readPointer(id);
  const problems: string[] = [];
  const candidates = pointer ? [pointer.version, ...[...pointer.trail].reverse()] : [null];
  for (const version of candidates) {
    if (version === null) break;
    try {
      const pkg = await verifyInstalledAsync(store, id, version);
      return { pkg, source: 'installed', version, why: installedWhy(pointer!, problems) };
    } catch (err) {
      problems.push(`${version} failed its check (${errorMessage(err)})`);
    }
  }
  const pkg = store.bundled(id);
  return { pkg, source: 'bundled', version: pkg.manifest.version, why: bundledWhy(pointer, problems) };
}
