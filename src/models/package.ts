import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { ErrorCodes, SonoError } from '../errors.js';
import { type Manifest, ManifestSchema, type ModelFile, SUPPORTED_API_VERSIONS } from './manifest.js';

export interface ModelPackage {
  dir: string;
  manifest: Manifest;
}

/**
 * Checks a parsed manifest against the schema and the apiVersions this runtime runs; `where` names it in
 * the error (a file path, or a package being installed).
 */
export function validateManifest(raw: unknown, where: string): Manifest {
  const api = (raw as { apiVersion?: unknown } | null)?.apiVersion;
  if (typeof api === 'number' && !(SUPPORTED_API_VERSIONS as readonly number[]).includes(api)) {
    throw new SonoError(
      ErrorCodes.MODEL_API_UNSUPPORTED,
      `Model package ${where} declares apiVersion ${api}; this runtime runs apiVersion ${SUPPORTED_API_VERSIONS.join(', ')}. Update sonoedge or use a package built for it.`,
    );
  }
  const errors = [...Value.Errors(ManifestSchema, raw)];
  if (errors.length > 0) {
    const lines = [...new Set(errors.map((e) => `  ${e.path || '/'}: ${e.message}`))];
    throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Model manifest ${where} is invalid:\n${lines.join('\n')}`);
  }
  return raw as Manifest;
}

/**
 * Reads and validates `<dir>/manifest.json`; refuses what this runtime cannot run, saying why. The id must
 * be the folder's name (bundled `models/<id>/`) or `options.id` (installed `<dataDir>/models/<id>/<version>/`).
 */
export function readModelPackage(dir: string, options: { id?: string } = {}): ModelPackage {
  const file = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Model manifest ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const manifest = validateManifest(raw, file);
  const expected = options.id ?? dir.split(/[\\/]/).filter(Boolean).pop();
  if (manifest.id !== expected) {
    const place = options.id === undefined ? `lives in folder "${expected}"` : `is installed as "${expected}"`;
    throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Model manifest ${file} has id "${manifest.id}" but ${place}; they must match`);
  }
  return { dir, manifest };
}

/** Lists the packages under `modelsDir` (folders holding a manifest.json), with their read errors. */
export function listModelPackages(modelsDir: string): Array<ModelPackage | { dir: string; error: string }> {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .map((name) => join(modelsDir, name))
    .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, 'manifest.json')))
    .sort()
    .map((dir) => {
      try {
        return readModelPackage(dir);
      } catch (err) {
        return { dir, error: (err as Error).message };
      }
    });
}

export function findModelPackage(modelsDir: string, id: string): ModelPackage {
  const dir = join(modelsDir, id);
  if (!existsSync(join(dir, 'manifest.json'))) {
    const known = listModelPackages(modelsDir).map((p) => ('manifest' in p ? p.manifest.id : `${p.dir} (invalid)`));
    throw new SonoError(ErrorCodes.MODEL_NOT_FOUND, `Model "${id}" not found in ${modelsDir}; available: ${known.join(', ') || 'none'}`);
  }
  return readModelPackage(dir);
}

/** Reads a model file and checks its SHA-256 against the manifest, so a truncated copy never loads. */
export function readVerifiedModelFile(pkg: ModelPackage, file: ModelFile): Uint8Array {
  const path = join(pkg.dir, file.path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new SonoError(ErrorCodes.MODEL_FILE_MISSING, `Model file ${path} (${file.precision}) of "${pkg.manifest.id}" cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== file.sha256) {
    throw new SonoError(
      ErrorCodes.MODEL_FILE_CORRUPT,
      `Model file ${path} is corrupt: SHA-256 ${digest} does not match the manifest's ${file.sha256}. Reinstall the "${pkg.manifest.id}" package.`,
    );
  }
  return bytes;
}
