import { join } from 'node:path';
import { ErrorCodes, SonoError } from '../../errors.js';

/**
 * The TensorRT engine cache folder for one model file. onnxruntime reuses an engine it finds in its cache
 * folder, and an engine built for the previous model would then run in the new one's place; keying the
 * folder by the file's SHA-256 (checked against the signed manifest before loading) means a changed model
 * never meets an old engine, while the unchanged one still starts from its cache.
 */
export function engineCacheDirFor(baseDir: string, file: { sha256: string }): string {
  if (!/^[0-9a-f]{64}$/.test(file.sha256)) throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Model file SHA-256 "${file.sha256}" is not 64 hex digits; the manifest is invalid. Reinstall the package.`);
  return join(baseDir, file.sha256);
}
