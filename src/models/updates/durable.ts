import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes that survive a power cut: data reaches the disk (fsync) before the rename that makes it visible,
 * and the rename itself is made durable by syncing the directory that holds it.
 */

export function fsyncPath(path: string, flags = 'r'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Syncs a directory so that entries created, renamed or removed in it are on disk. */
export function fsyncDir(dir: string): void {
  fsyncPath(dir);
}

/** Writes `bytes` to a new file and fsyncs it; refuses to overwrite. */
export function writeDurable(path: string, bytes: Uint8Array, mode = 0o644): void {
  const fd = openSync(path, 'wx', mode);
  try {
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `writeDurable` on the thread pool: a model file of hundreds of MiB is written and fsynced without holding up the event loop. */
export async function writeDurableAsync(path: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
  const file = await open(path, 'wx', mode);
  try {
    let off = 0;
    while (off < bytes.byteLength) off += (await file.write(bytes, off, bytes.byteLength - off)).bytesWritten;
    await file.sync();
  } finally {
    await file.close();
  }
}

/** `fsyncPath` on the thread pool (a directory, or a file just written). */
export async function fsyncPathAsync(path: string, flags = 'r'): Promise<void> {
  const file = await open(path, flags);
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Replaces `path` atomically: the new content is written and fsynced beside it, renamed over it, and the
 * directory synced. A reader (or a reboot) sees the old file or the new one, never a mix or nothing.
 * `pause` lets a test stop the process between the steps.
 */
export async function replaceAtomically(path: string, bytes: Uint8Array, pause: (point: string) => Promise<void> = async () => {}): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  writeDurable(tmp, bytes);
  await pause('pointer-written');
  renameSync(tmp, path);
  await pause('pointer-renamed');
  fsyncDir(dirname(path));
}

/** `replaceAtomically` with no await inside: two replacements of the same small file in one process never interleave. */
export function replaceAtomicallySync(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true }); // a leftover of a process killed between write and rename, which had this pid
  writeDurable(tmp, bytes);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}
