import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a new random 64-hex-digit key to `file` so that a power cut leaves either no key file or the whole
 * key, never a torn one: a temp file (0600) in the same folder, fsynced, linked to its name, then the
 * folder fsynced so the rename itself is on disk. Fails if `file` appears meanwhile (never replaces a key).
 */
export function createKeyFile(file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(32).toString('hex') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link (then unlink the temp name), not rename: rename would replace a key another process made meanwhile (EEXIST instead)
    linkSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
