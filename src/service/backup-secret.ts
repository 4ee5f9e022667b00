/**
 * The device secret in a backup. The secret (keys/device.secret, or the unit's sonoedge-device-secret
 * credential) is what PINs and passwords are checked against, what keys the audit chain, the PACS pseudonyms
 * and the device serial: restored records without it lock everyone out and their audit trail reads as
 * tampered. A backup therefore carries it, sealed (AES-256-GCM) under a key derived from the records key, so
 * the stick alone reveals nothing the records key does not already protect. It is never printed.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { auditKey, rowHash } from '../audit/audit-trail.js';
import type { ChainRow } from '../audit/verify.js';
import { type ErrorCode, ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { type RecordsDb, fsyncPath } from './records-file.js';

export const DEVICE_SECRET_FILE = 'device-secret.enc';
export const DEVICE_SECRET_CREDENTIAL = 'sonoedge-device-secret';
const SECRET_RE = /^[0-9a-f]{64}$/;
const AAD = Buffer.from('sonoedge backup device secret v1');

/** How to run a command with the unit's device secret when it is held as an encrypted credential only. */
export const DEVICE_SECRET_HINT =
  'run the command with both credentials of the unit: systemd-run --pipe --wait -p LoadCredentialEncrypted=sonoedge-db-key:/etc/credstore.encrypted/sonoedge-db-key -p LoadCredentialEncrypted=sonoedge-device-secret:/etc/credstore.encrypted/sonoedge-device-secret sonoedge …';

export interface SecretSource {
  secret: string;
  /** Where it came from, for messages (never the secret itself). */
  from: string;
  /** True when it is the unit's systemd credential: the daemon reads that before keys/device.secret. */
  credential: boolean;
}

export const deviceSecretPath = (dataDir: string): string => join(dataDir, 'keys', 'device.secret');

/** Reads a file holding a device secret; refuses anything but 64 hex digits. */
export function readSecretFile(file: string, code: ErrorCode): string {
  if (!existsSync(file)) throw new SonoError(code, `Device secret file ${file} does not exist; give the old box's keys/device.secret`);
  const secret = readFileSync(file, 'utf8').trim();
  if (!SECRET_RE.test(secret)) throw new SonoError(code, `${file} does not hold a 64-hex-digit device secret; give the old box's keys/device.secret`);
  return secret;
}

/** The device secret the daemon would use (credential first, then keys/device.secret), never creating one. */
export function findDeviceSecret(dataDir: string, code: ErrorCode, env: NodeJS.ProcessEnv = process.env): SecretSource | undefined {
  const cred = env.CREDENTIALS_DIRECTORY ? join(env.CREDENTIALS_DIRECTORY, DEVICE_SECRET_CREDENTIAL) : undefined;
  if (cred && existsSync(cred)) return { secret: readSecretFile(cred, code), from: `the credential ${DEVICE_SECRET_CREDENTIAL}`, credential: true };
  const file = deviceSecretPath(dataDir);
  if (existsSync(file)) return { secret: readSecretFile(file, code), from: file, credential: false };
  return undefined;
}

/** The device secret for a backup: `found` (or neither, when the box has none), or `unreadable`: why the one present could not be read. */
export interface BackupSecret {
  found?: SecretSource;
  unreadable?: string;
}

/**
 * findDeviceSecret for a backup, which must not fail because of the secret: a keys/device.secret torn by a
 * power cut (the daemon then cannot start) is exactly when a backup is needed. Such a secret is left out and
 * said so (`unreadable`, also written into the manifest); the restore then needs the secret from elsewhere.
 */
export function findSecretForBackup(dataDir: string, env: NodeJS.ProcessEnv = process.env): BackupSecret {
  try {
    return { found: findDeviceSecret(dataDir, ErrorCodes.BACKUP_FAILED, env) };
  } catch (err) {
    const cred = env.CREDENTIALS_DIRECTORY ? join(env.CREDENTIALS_DIRECTORY, DEVICE_SECRET_CREDENTIAL) : undefined;
    const where = cred && existsSync(cred) ? `the credential ${DEVICE_SECRET_CREDENTIAL}` : deviceSecretPath(dataDir);
    const why = err instanceof SonoError && /64-hex-digit/.test(err.message) ? 'not a 64-hex-digit secret: torn by a power cut?' : errorMessage(err);
    return {
      unreadable:
        `the device secret (${where}) could not be read when the backup was made (${why}), so the backup does not hold it: ` +
        "restoring it needs that box's device secret from elsewhere (sonoedge restore … --device-secret-file FILE)",
    };
  }
}

const sealKey = (recordsKey: string): Buffer => createHmac('sha256', Buffer.from(recordsKey, 'hex')).update('sonoedge-backup-device-secret v1').digest();

/** The sealed form written to the backup: JSON, AES-256-GCM under a key derived from the records key. */
export function sealDeviceSecret(secret: string, recordsKey: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(recordsKey), iv).setAAD(AAD);
  const data = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return JSON.stringify({ cipher: 'aes-256-gcm', iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') }) + '\n';
}

/** Opens what sealDeviceSecret wrote; throws (code) when the records key is another or the file was changed. */
export function openSealedSecret(sealed: string, recordsKey: string, code: ErrorCode): string {
  try {
    const s = JSON.parse(sealed) as { iv: string; tag: string; data: string };
    const d = createDecipheriv('aes-256-gcm', sealKey(recordsKey), Buffer.from(s.iv, 'base64')).setAAD(AAD);
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    const secret = Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8');
    if (!SECRET_RE.test(secret)) throw new Error('not a 64-hex-digit secret');
    return secret;
  } catch (err) {
    throw new SonoError(code, `The device secret in the backup (${DEVICE_SECRET_FILE}) cannot be opened with the records key: the file was damaged or changed; use another backup`, { cause: err });
  }
}

/**
 * Whether `secret` keys the audit chain of `db`: row 1's HMAC under it matches. True when there is no row
 * (nothing was keyed with any secret yet); false when there are rows and it does not match.
 */
export function secretKeysChain(db: RecordsDb, secret: string | undefined): boolean {
  const hasAudit = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").get();
  const first = hasAudit ? (db.prepare('SELECT * FROM audit ORDER BY id LIMIT 1').get() as ChainRow | undefined) : undefined;
  if (!first) return true;
  return secret !== undefined && rowHash(auditKey(secret), first) === first.hash;
}

/**
 * Puts `secret` in `file` so that a power cut leaves the old whole secret or the new one, never a torn file and
 * never no file: a 0600 temp file beside it, fsynced, renamed over it, the folder fsynced. `keepAs`: the
 * file it replaces is first linked to this name (kept, never deleted).
 */
export function writeSecretAtomically(file: string, secret: string, keepAs?: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, secret + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (keepAs && existsSync(file)) linkSync(file, keepAs);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  fsyncPath(dir);
}
