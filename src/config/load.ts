import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, SonoError } from '../errors.js';
import { validateWithDefaults } from '../util/validate.js';
import { type Config, ConfigSchema } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
  file: string | undefined;
}

/** Environment overrides: each names exactly one key, documented in the README. */
const ENV_OVERRIDES: ReadonlyArray<[string, string[], (v: string) => unknown]> = [
  ['SONOEDGE_HOST', ['server', 'host'], String],
  ['SONOEDGE_PORT', ['server', 'port'], Number],
  ['SONOEDGE_DATA_DIR', ['dataDir'], String],
  ['SONOEDGE_MODELS_DIR', ['modelsDir'], String],
  ['SONOEDGE_SOURCE', ['source', 'driver'], String],
  [
    'SONOEDGE_PROVIDERS',
    ['inference', 'providers'],
    (v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
  ],
  ['SONOEDGE_REQUIRE_ACCELERATOR', ['inference', 'requireAccelerator'], (v) => v === '1' || v === 'true'],
  ['SONOEDGE_LOG_LEVEL', ['log', 'level'], String],
];

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}

export function parseConfigText(text: string, file: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SonoError(ErrorCodes.CONFIG_UNREADABLE, `Config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads the config file (JSON or YAML; only the keys it changes), applies environment overrides, then
 * command-line overrides, fills defaults and validates. Zero config gives the demo.
 */
export function loadConfig(file: string | undefined, options: { env?: NodeJS.ProcessEnv; overrides?: Array<[string[], unknown]> } = {}): LoadedConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new SonoError(ErrorCodes.CONFIG_UNREADABLE, `Cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = parseConfigText(text, file);
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new SonoError(ErrorCodes.CONFIG_INVALID, `Config file ${file} must hold an object at its top level`);
    }
    raw = (parsed ?? {}) as Record<string, unknown>;
  }
  const env = options.env ?? process.env;
  for (const [name, path, conv] of ENV_OVERRIDES) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(raw, path, conv(v));
  }
  for (const [path, value] of options.overrides ?? []) setPath(raw, path, value);
  const config = validateWithDefaults(ConfigSchema, raw, file ? `config (${file})` : 'config');
  return { config, baseDir: file ? dirname(resolve(file)) : process.cwd(), file };
}
