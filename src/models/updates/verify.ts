import { ErrorCodes, SonoError } from '../../errors.js';
import { SUPPORTED_API_VERSIONS, type Manifest } from '../manifest.js';
import { validateManifest } from '../package.js';
import { readArchive } from './archive.js';
import type { TrustStore, TrustedKey } from './keys.js';
import { type ParsedStatement, STATEMENT_FILE, checkNames, parseStatement, sha256Hex, signatureValid } from './statement.js';
import { VECTORS_FILE } from './test-vectors.js';
import type { InstallStep } from '../../protocol/install-report.js';

/** The install steps, in order (the protocol's list); each failure names its step and carries its own error code. */
export { INSTALL_STEPS, type InstallStep } from '../../protocol/install-report.js';

/** A package whose bytes, signature, hashes and manifest have been checked: nothing in it is on disk yet. */
export interface VerifiedPackage {
  files: Map<string, Buffer>;
  statement: ParsedStatement;
  signer: TrustedKey;
  manifest: Manifest;
}

export interface VerifyOptions {
  trust: TrustStore;
  maxPackageBytes: number;
  now?: Date;
  /** Called as each step starts, so a caller can time it and name it when it throws. */
  onStep?: (step: InstallStep) => void;
}

/** Steps 1–4 of an install (extract, signature, hashes, manifest), all in memory. */
export async function verifyPackage(bytes: Uint8Array, options: VerifyOptions): Promise<VerifiedPackage> {
  const step = options.onStep ?? ((): void => {});
  step('extract');
  if (bytes.byteLength > options.maxPackageBytes) {
    throw new SonoError(
      ErrorCodes.MODEL_PACKAGE_TOO_LARGE,
      `Model package is ${bytes.byteLength} bytes, over modelUpdates.maxPackageBytes (${options.maxPackageBytes}); raise the limit if the model is really that large.`,
      { details: { bytes: bytes.byteLength, limit: options.maxPackageBytes } },
    );
  }
  const files = await readArchive(bytes, { maxUnpackedBytes: options.maxPackageBytes });
  step('signature');
  const statementBytes = files.get(STATEMENT_FILE);
  if (!statementBytes) throw new SonoError(ErrorCodes.MODEL_SIGNATURE_MISSING, `Model package has no ${STATEMENT_FILE}; build it with \`sonoedge models pack\` and sign it with \`sonoedge models sign\`.`);
  const statement = parseStatement(statementBytes);
  const signer = checkSignature(statement, options.trust, options.now ?? new Date());
  step('hashes');
  checkHashes(files, statement);
  step('manifest');
  const manifest = checkManifest(files, statement);
  return { files, statement, signer, manifest };
}

/** The first signature made by a trusted, unexpired, unrevoked key that verifies; else the most telling refusal. */
export function checkSignature(statement: ParsedStatement, trust: TrustStore, now: Date): TrustedKey {
  const { envelope, payloadBytes, payload } = statement;
  if (envelope.signatures.length === 0) {
    throw new SonoError(ErrorCodes.MODEL_SIGNATURE_MISSING, `Model package ${payload.id} ${payload.version} is not signed; sign it with \`sonoedge models sign FILE --key signing.key\`.`);
  }
  const refusals: SonoError[] = [];
  for (const s of envelope.signatures) {
    if (trust.revoked.has(s.keyid)) {
      refusals.push(new SonoError(ErrorCodes.MODEL_KEY_REVOKED, `Model package ${payload.id} ${payload.version} is signed by key ${s.keyid}, which modelUpdates.revokedKeys revokes; ask the vendor for a package signed with a current key.`, { details: { keyid: s.keyid } }));
      continue;
    }
    const key = trust.keys.find((k) => k.keyid === s.keyid);
    if (!key) {
      refusals.push(new SonoError(ErrorCodes.MODEL_KEY_UNTRUSTED, `Model package ${payload.id} ${payload.version} is signed by key ${s.keyid}, which this device does not trust; add its signing.pub to modelUpdates.trustedKeys if you trust the signer.`, { details: { keyid: s.keyid } }));
      continue;
    }
    if (!signatureValid(payloadBytes, s.sig, key.key)) {
      refusals.push(new SonoError(ErrorCodes.MODEL_SIGNATURE_INVALID, `Model package ${payload.id} ${payload.version}: the signature by ${key.name} (${s.keyid}) does not match the statement; the package was altered after signing. Get an intact copy.`, { details: { keyid: s.keyid } }));
      continue;
    }
    if (key.expires && key.expires.getTime() <= now.getTime()) {
      refusals.push(new SonoError(ErrorCodes.MODEL_KEY_EXPIRED, `Model package ${payload.id} ${payload.version} is signed by ${key.name} (${s.keyid}), trusted only until ${key.expires.toISOString()}; have it signed with a current key or extend the key's expiry in modelUpdates.trustedKeys.`, { details: { keyid: s.keyid } }));
      continue;
    }
    const expires = payload.expires === undefined ? Number.NaN : Date.parse(payload.expires);
    if (!(expires > now.getTime())) {
      throw new SonoError(
        ErrorCodes.MODEL_SIGNATURE_EXPIRED,
        `Model package ${payload.id} ${payload.version}'s signature ${payload.expires === undefined ? 'has no expiry' : `expired at ${payload.expires}`}; an old package may hide a withdrawn model. Ask the vendor for a freshly signed copy.`,
        { details: { expires: payload.expires ?? null } },
      );
    }
    return key;
  }
  const order: string[] = [ErrorCodes.MODEL_KEY_REVOKED, ErrorCodes.MODEL_SIGNATURE_INVALID, ErrorCodes.MODEL_KEY_EXPIRED, ErrorCodes.MODEL_KEY_UNTRUSTED];
  refusals.sort((a, b) => order.indexOf(a.code) - order.indexOf(b.code));
  throw refusals[0]!;
}

/** Every file but the statement is listed in it with its SHA-256, and nothing listed is missing. */
export function checkHashes(files: Map<string, Buffer>, statement: ParsedStatement): void {
  const listed = statement.payload.files;
  for (const [name, bytes] of files) {
    if (name === STATEMENT_FILE) continue;
    const want = listed[name];
    if (want === undefined) throw new SonoError(ErrorCodes.MODEL_FILE_LIST_MISMATCH, `Model package holds "${name}", which its signed statement does not list; the package was altered after signing.`, { details: { file: name } });
    const got = sha256Hex(bytes);
    if (got !== want) {
      throw new SonoError(ErrorCodes.MODEL_HASH_MISMATCH, `Model package file "${name}" has SHA-256 ${got}, not the signed ${want}; the file was altered or damaged. Get an intact copy.`, { details: { file: name } });
    }
  }
  for (const name of Object.keys(listed)) {
    if (!files.has(name)) throw new SonoError(ErrorCodes.MODEL_FILE_LIST_MISMATCH, `Model package lacks "${name}", which its signed statement lists; get a complete copy.`, { details: { file: name } });
  }
}

/** The manifest is valid, runnable here, and says the same id, version and file hashes as the statement. */
export function checkManifest(files: Map<string, Buffer>, statement: ParsedStatement): Manifest {
  const { payload } = statement;
  const where = `${payload.id} ${payload.version}`;
  const bytes = files.get('manifest.json');
  if (!bytes) throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Model package ${where} has no manifest.json; rebuild it with \`sonoedge models pack\`.`);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Model package ${where}'s manifest.json is not JSON: ${(err as Error).message}`, { cause: err });
  }
  checkNames(raw, `Model package ${where}'s manifest.json`);
  const manifest = validateManifest(raw, where);
  if (manifest.id !== payload.id || manifest.version !== payload.version) {
    throw new SonoError(ErrorCodes.MODEL_STATEMENT_MISMATCH, `Model package's manifest says ${manifest.id} ${manifest.version} but its signed statement says ${where}; the package mixes parts of different releases and is refused.`);
  }
  const runs = SUPPORTED_API_VERSIONS.filter((v) => v >= payload.apiVersion.min && v <= payload.apiVersion.max);
  if (!runs.includes(manifest.apiVersion as (typeof SUPPORTED_API_VERSIONS)[number])) {
    throw new SonoError(
      ErrorCodes.MODEL_API_UNSUPPORTED,
      `Model package ${where} needs runtime apiVersion ${payload.apiVersion.min}–${payload.apiVersion.max} (manifest ${manifest.apiVersion}); this runtime runs ${SUPPORTED_API_VERSIONS.join(', ')}. Update sonoedge or use a package built for it.`,
    );
  }
  for (const f of manifest.files) {
    if (payload.files[f.path] !== f.sha256) {
      throw new SonoError(ErrorCodes.MODEL_STATEMENT_MISMATCH, `Model package ${where}: manifest file ${f.path} (SHA-256 ${f.sha256}) is not the one the statement signs; rebuild the package.`, { details: { file: f.path } });
    }
  }
  if (!files.has(VECTORS_FILE)) throw new SonoError(ErrorCodes.MODEL_TEST_VECTORS_INVALID, `Model package ${where} has no ${VECTORS_FILE}; a package must prove itself on the device. Generate them (scripts/model-test-vectors.ts) and pack again.`);
  return manifest;
}
