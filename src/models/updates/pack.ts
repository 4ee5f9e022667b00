import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ErrorCodes, SonoError } from '../../errors.js';
import { readModelPackage, readVerifiedModelFile } from '../package.js';
import { readArchive, writeArchive } from './archive.js';
import { checkHashes } from './verify.js';
import { STATEMENT_FILE, STATEMENT_TYPE, type StatementPayload, encodeEnvelope, parseStatement, sha256Hex, signStatement } from './statement.js';

/** Files of a model folder that go into its package: top level and test-vectors/, no dotfiles, no statement. */
function packageFiles(dir: string): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  const walk = (rel: string, depth: number): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (name.startsWith('.') || path === STATEMENT_FILE) continue;
      const st = lstatSync(join(dir, path));
      if (st.isSymbolicLink()) throw new SonoError(ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY, `Model folder entry ${join(dir, path)} is a symbolic link; packages hold only regular files. Copy the file in instead.`);
      if (st.isDirectory() && depth === 0) walk(path, 1);
      else if (st.isFile()) out.push([path, readFileSync(join(dir, path))]);
      else throw new SonoError(ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY, `Model folder entry ${join(dir, path)} is neither a file nor test-vectors/-style folder one level down; move it out of the model folder.`);
    }
  };
  walk('', 0);
  return out;
}

function samePayload(a: StatementPayload, b: StatementPayload): boolean {
  const strip = (p: StatementPayload): string => JSON.stringify({ ...p, signedAt: undefined, expires: undefined, files: Object.entries(p.files).sort() });
  return strip(a) === strip(b);
}

/**
 * Packs a model folder laid out like models/fetal-head/ into one package file. Every manifest file must
 * match its SHA-256 first (a broken model is never packed). A signed statement.json already in the folder
 * (the shipped models carry the release key's) is kept when it covers exactly these files, so packing a
 * shipped model gives the release-signed package without the private key.
 */
export async function packModelDir(dir: string): Promise<{ bytes: Buffer; payload: StatementPayload; signed: boolean }> {
  const pkg = readModelPackage(dir);
  for (const f of pkg.manifest.files) readVerifiedModelFile(pkg, f);
  const files = packageFiles(dir);
  const payload: StatementPayload = {
    type: STATEMENT_TYPE,
    id: pkg.manifest.id,
    version: pkg.manifest.version,
    apiVersion: { min: pkg.manifest.apiVersion, max: pkg.manifest.apiVersion },
    files: Object.fromEntries(files.map(([name, bytes]) => [name, sha256Hex(bytes)])),
  };
  let statement = encodeEnvelope(payload);
  let signed = false;
  const existing = join(dir, STATEMENT_FILE);
  if (existsSync(existing)) {
    const kept = parseStatement(readFileSync(existing));
    if (samePayload(kept.payload, payload) && kept.envelope.signatures.length > 0) {
      statement = readFileSync(existing);
      signed = true;
    }
  }
  return { bytes: await writeArchive([[STATEMENT_FILE, statement], ...files]), payload, signed };
}

/** Signs a packed file with `privateKey`, valid for `expiresDays`; the file's contents must match its statement. */
export async function signPackageBytes(bytes: Uint8Array, privateKey: KeyObject, options: { expiresDays: number; now?: Date; maxBytes?: number }): Promise<{ bytes: Buffer; payload: StatementPayload }> {
  const files = await readArchive(bytes, { maxUnpackedBytes: options.maxBytes ?? 4 * 1024 * 1024 * 1024 });
  const st = files.get(STATEMENT_FILE);
  if (!st) throw new SonoError(ErrorCodes.MODEL_SIGNATURE_MISSING, `The file has no ${STATEMENT_FILE}: it is not a model package. Make one with \`sonoedge models pack\`.`);
  const parsed = parseStatement(st);
  checkHashes(files, parsed); // never sign contents other than the ones the statement lists
  const now = options.now ?? new Date();
  const payload: StatementPayload = { ...parsed.payload, signedAt: now.toISOString(), expires: new Date(now.getTime() + options.expiresDays * 86_400_000).toISOString() };
  files.set(STATEMENT_FILE, signStatement(payload, privateKey));
  return { bytes: await writeArchive(files), payload };
}

