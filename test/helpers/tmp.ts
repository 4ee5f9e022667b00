import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

/** A temp folder removed after the file's tests. */
export function tempDir(prefix = 'sonoedge-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Copies the shipped fetal-head package into `<dir>/models/fetal-head`; returns the models dir. */
export function copyShippedModels(dir: string): string {
  const models = join(dir, 'models');
  cpSync(join(packageRoot(), 'models', 'fetal-head'), join(models, 'fetal-head'), { recursive: true });
  return models;
}

export const SHARED_DATA = join(packageRoot(), '..', 'shared', 'data');
