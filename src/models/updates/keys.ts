import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import type { ModelUpdatesConfig, TrustedKeyConfig } from './config.js';
import { RELEASE_PUBLIC_KEY } from './release-key.js';
import { keyId } from './statement.js';

export interface TrustedKey {
  keyid: string;
  key: KeyObject;
  name: string;
  expires: Date | undefined;
}

/** The keys a device trusts (built-in release key + config) and the ones revoked by config. */
export interface TrustStore {
  keys: TrustedKey[];
  revoked: Set<string>;
}

/** Reads a PEM string or a path to one (relative paths from `baseDir`). */
function keyText(value: string, baseDir: string): string {
  if (value.includes('-----BEGIN')) return value;
  const path = isAbsolute(value) ? value : resolve(baseDir, value);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SonoError(ErrorCodes.MODEL_KEY_INVALID, `Signing key file ${path} cannot be read (${errorMessage(err)}); give the signing.pub contents or a readable path in modelUpdates.`, { cause: err });
  }
}

export function parsePublicKey(text: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (err) {
    throw new SonoError(ErrorCodes.MODEL_KEY_INVALID, `${where} is not a PEM public key (${errorMessage(err)}); paste the whole signing.pub made by \`sonoedge models keygen\`.`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SonoError(ErrorCodes.MODEL_KEY_INVALID, `${where} is a ${key.asymmetricKeyType ?? 'unknown'} key; model packages are signed with ed25519 keys from \`sonoedge models keygen\`.`);
  }
  return key;
}

function trusted(entry: TrustedKeyConfig, index: number, baseDir: string): TrustedKey {
  const value = typeof entry === 'string' ? { key: entry } : entry;
  const where = `modelUpdates.trustedKeys[${index}]`;
  const key = parsePublicKey(keyText(value.key, baseDir), where);
  let expires: Date | undefined;
  if (value.expires !== undefined) {
    expires = new Date(value.expires);
    if (Number.isNaN(expires.getTime())) throw new SonoError(ErrorCodes.MODEL_KEY_INVALID, `${where}.expires "${value.expires}" is not a date; write an ISO 8601 instant such as 2027-06-30T00:00:00Z.`);
  }
  return { keyid: keyId(key), key, name: 'name' in value && value.name ? value.name : where, expires };
}

/** Builds the device's trust store from `modelUpdates` (paths relative to the config's folder). */
export function trustStoreOf(updates: Pick<ModelUpdatesConfig, 'trustedKeys' | 'revokedKeys'>, baseDir: string): TrustStore {
  const release = createPublicKey(RELEASE_PUBLIC_KEY);
  const keys: TrustedKey[] = [{ keyid: keyId(release), key: release, name: 'sonoedge release key', expires: undefined }];
  updates.trustedKeys.forEach((k, i) => keys.push(trusted(k, i, baseDir)));
  const revoked = new Set(
    updates.revokedKeys.map((r, i) => (/^[0-9a-f]{16}$/.test(r) ? r : keyId(parsePublicKey(keyText(r, baseDir), `modelUpdates.revokedKeys[${i}]`)))),
  );
  return { keys, revoked };
}

export function readPrivateKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SonoError(ErrorCodes.MODEL_KEY_INVALID, `Signing key ${path} cannot be read as a PEM private key (${errorMessage(err)}); use the signing.key written by \`sonoedge models keygen\`.`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SonoError(ErrorCodes.MODEL_KEY_INVALID, `Signing key ${path} is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519; make one with \`sonoedge models keygen\`.`);
  return key;
}

/** Writes `<dir>/signing.key` (0600, never leaves the signer's machine) and `<dir>/signing.pub`. */
export function generateSigningKeys(dir: string): { keyid: string; privatePath: string; publicPath: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(dir, { recursive: true });
  const privatePath = join(dir, 'signing.key');
  const publicPath = join(dir, 'signing.pub');
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path)) throw new SonoError(ErrorCodes.MODEL_KEY_EXISTS, `${path} already exists; it may be the only copy of a key devices trust, so it is never overwritten. Choose another --out folder.`);
  }
  // 'wx': an existing key is never overwritten (it may be the only copy of a key devices trust)
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privatePath, 0o600);
  writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  return { keyid: keyId(publicKey), privatePath, publicPath };
}
