/**
 * Guards for the model store's paths: a package-supplied id or version names a folder directly under its
 * parent or nothing, and nothing outside the models folder is ever removed.
 */
import { basename, dirname, resolve, sep } from 'node:path';
import { type ErrorCode, ErrorCodes, SonoError } from '../../errors.js';

/** `join(parent, name)` resolved, refused with `code` unless it is a direct child of `parent` named `name`. */
export function directChild(parent: string, name: string, code: ErrorCode, field: string, path = resolve(parent, name)): string {
  const ok = name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0') && dirname(path) === resolve(parent) && basename(path) === name;
  if (!ok) throw new SonoError(code, `Model ${field} ${JSON.stringify(name)} would not be a folder directly in ${parent}; refused.`, { details: { field } });
  return path;
}

/** `path` resolved, refused unless it lies strictly inside `root` (a guard before any recursive removal). */
export function inside(root: string, path: string): string {
  const r = resolve(root);
  const p = resolve(path);
  if (!p.startsWith(r + sep)) throw new SonoError(ErrorCodes.MODEL_ACTIVATE_FAILED, `Refusing to remove ${p}: it is outside the models folder ${r}.`);
  return p;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
