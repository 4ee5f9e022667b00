import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';

/** True when `path` is `root` or lies inside it (both absolute and normalised). */
export function isInside(path: string, root: string): boolean {
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** Real paths of the roots that exist (a removable mount with nothing plugged in is skipped). */
function realRoots(roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    try {
      out.push(realpathSync(resolve(root)));
    } catch {
      // not there: nothing can lie under it
    }
  }
  return out;
}

/**
 * Resolves a path a network client sent to its real path, which must lie under one of `roots`.
 * The path is first checked as written (after `..` is folded), so nothing outside the roots is touched
 * (no way to learn whether a file exists elsewhere); then its real path, so a link cannot lead out.
 * `what` names the setting in messages.
 */
export function resolveMediaPath(path: string, roots: readonly string[], what: string): string {
  const list = roots.length > 0 ? roots.join(', ') : 'none configured (set media.folders in the config)';
  if (path.includes('\0') || !isAbsolute(path)) {
    throw new SonoError(ErrorCodes.MEDIA_PATH_REFUSED, `The ${what} must be an absolute path under a media folder (${list}); got "${path.replaceAll('\0', '\\0')}"`, {
      details: { path: path.replaceAll('\0', '\\0') },
    });
  }
  const lexical = resolve(path);
  const real = realRoots(roots);
  if (!roots.some((r) => isInside(lexical, resolve(r))) && !real.some((r) => isInside(lexical, r))) {
    throw new SonoError(ErrorCodes.MEDIA_PATH_REFUSED, `The ${what} "${path}" is not under a media folder (${list}); copy the files there or ask for the folder to be added to media.folders`, {
      details: { path },
    });
  }
  let target: string;
  try {
    target = realpathSync(lexical);
  } catch (err) {
    throw new SonoError(ErrorCodes.MEDIA_PATH_MISSING, `The ${what} "${path}" does not exist or cannot be read; check the name (the media must be plugged in)`, {
      cause: err,
      details: { path, reason: (err as NodeJS.ErrnoException).code ?? errorMessage(err) },
    });
  }
  if (!real.some((r) => isInside(target, r))) {
    throw new SonoError(ErrorCodes.MEDIA_PATH_REFUSED, `The ${what} "${path}" leads out of the media folders (${list}) through a link; copy the files into a media folder instead`, {
      details: { path },
    });
  }
  return target;
}
