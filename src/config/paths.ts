import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from './load.js';
import { packageRoot } from '../util/package-root.js';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'sonoedge') : join(homedir(), '.local', 'share', 'sonoedge');
}

/** Where records, keys and calibrations live: `dataDir` from the config (relative to its file) or the XDG default. */
export function dataDirOf(loaded: LoadedConfig): string {
  return resolve(loaded.baseDir, loaded.config.dataDir ?? defaultDataDir());
}

export function modelsDirOf(loaded: LoadedConfig): string {
  return loaded.config.modelsDir ? resolve(loaded.baseDir, loaded.config.modelsDir) : join(packageRoot(), 'models');
}
