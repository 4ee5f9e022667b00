import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { replaceAtomicallySync } from './durable.js';
import type { HealthCounts } from './health-window.js';
import type { ActivePointer, ModelStore } from './store.js';

/**
 * The health window on disk: `<root>/<id>/health.json` says which activation is under watch (its version and
 * the pointer's `activatedAt`) and how far its window got. Every activation of an installed version writes it
 * (daemon or CLI, install or `models activate`) before the pointer that makes the version serve, so a process
 * killed at any point leaves either no new pointer or a pointer with its mark. The daemon checkpoints the
 * counts as results come and writes the verdict at the end; a daemon that starts with its active version
 * still marked `watching` (restart, crash, power cut, or a CLI install) resumes the window from the counts.
 * A mark whose activation no longer serves (a rollback, a later activation) is ignored.
 */
export interface HealthMark extends HealthCounts {
  version: string;
  /** The `activatedAt` of the pointer this mark belongs to. */
  activatedAt: string;
  state: 'watching' | 'passed' | 'failed';
  reason?: string;
  updatedAt: string;
}

const FILE = 'health.json';

export function readHealthMark(store: ModelStore, id: string): HealthMark | undefined {
  const path = join(store.modelDir(id), FILE);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as HealthMark;
    return typeof m.version === 'string' && typeof m.activatedAt === 'string' && typeof m.seen === 'number' ? m : undefined;
  } catch {
    return undefined; // atomic replacement: cannot be torn; anything else unreadable means no window to resume
  }
}

/** Written durably (fsync, atomic rename, directory fsync) and synchronously: no other write of it interleaves. */
export function writeHealthMark(store: ModelStore, id: string, mark: Omit<HealthMark, 'updatedAt'>): void {
  replaceAtomicallySync(join(store.modelDir(id), FILE), Buffer.from(JSON.stringify({ ...mark, updatedAt: new Date().toISOString() }, null, 2) + '\n'));
}

/** A fresh window for the activation `pointer` is about to record (written before the pointer). */
export function markActivation(store: ModelStore, id: string, version: string, activatedAt: string): void {
  writeHealthMark(store, id, { version, activatedAt, state: 'watching', seen: 0, errors: 0, slow: 0, insane: 0 });
}

/** The mark of the activation that serves now (same version and `activatedAt` as the pointer), if any. */
export function currentMark(store: ModelStore, id: string, pointer: ActivePointer | undefined = store.readPointer(id)): HealthMark | undefined {
  const mark = readHealthMark(store, id);
  return mark && pointer && pointer.version === mark.version && pointer.activatedAt === mark.activatedAt ? mark : undefined;
}

/**
 * Updates the mark of the activation `version`@`activatedAt` (a checkpoint or the verdict) under the update
 * lock, and only while that activation still serves. Returns why it was not written (busy, superseded), or
 * undefined once written. Never throws: the window in memory goes on either way.
 */
export function updateMark(store: ModelStore, id: string, mark: Omit<HealthMark, 'updatedAt'>): string | undefined {
  let unlock: (() => void) | undefined;
  try {
    unlock = store.lock(`the health window of ${id}`);
    const now = currentMark(store, id);
    if (!now || now.version !== mark.version || now.activatedAt !== mark.activatedAt) return 'another activation serves now';
    writeHealthMark(store, id, mark);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  } finally {
    unlock?.();
  }
}
