/**
 * The errors and "why" texts of an installed version's checks, shared by the store's synchronous checks (start-up,
 * the CLI) and the streamed ones of installed-async.ts (the running daemon): same checks, same words. A file of
 * its own so that neither of the two imports the other.
 */
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import type { ModelPackage } from '../package.js';

/** What the texts say of an active pointer (store.ts ActivePointer). */
interface PointerWhy {
  activatedAt: string;
  by: string;
  reason: string;
}

export const installedFileMissing = (id: string, version: string, name: string, err: unknown): SonoError =>
  new SonoError(ErrorCodes.MODEL_FILE_MISSING, `Installed model ${id} ${version} lacks ${name} (${errorMessage(err)}); reinstall the package.`, { cause: err });
export const installedFileCorrupt = (id: string, version: string, name: string): SonoError =>
  new SonoError(ErrorCodes.MODEL_FILE_CORRUPT, `Installed model ${id} ${version}: ${name} no longer matches its signed SHA-256; reinstall the package.`);
export const installedVersionWrong = (dir: string, pkg: ModelPackage): SonoError =>
  new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Installed model folder ${dir} holds version ${pkg.manifest.version}; reinstall the package.`);

/** Why the installed version serves (`problems`: the newer ones on the trail that failed their check). */
export const installedWhy = (pointer: PointerWhy, problems: string[]): string =>
  problems.length === 0 ? `activated ${pointer.activatedAt} by ${pointer.by}: ${pointer.reason}` : `fallback: ${problems.join('; ')}`;
/** Why the bundled package serves. */
export const bundledWhy = (pointer: PointerWhy | undefined, problems: string[]): string =>
  problems.length > 0 ? `fallback to the bundled package: ${problems.join('; ')}` : pointer ? `activated ${pointer.activatedAt} by ${pointer.by}: ${pointer.reason}` : 'bundled (factory) package, nothing installed';

