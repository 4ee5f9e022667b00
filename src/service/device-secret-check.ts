/**
 * Whether the device secret a daemon would read at its next start is the one it runs with. It is read once, at
 * start (src/app/daemon.ts): a keys/device.secret removed, torn or replaced afterwards goes unnoticed until the
 * next restart, which then makes a new secret (missing: nobody can sign in, the audit trail reads as tampered),
 * refuses to start (torn) or runs with the other one (replaced); a backup written meanwhile misses it or holds
 * the wrong one. Health tells the technician (src/server/plugins/health.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '../errors.js';
import { DEVICE_SECRET_CREDENTIAL, type SecretSource, deviceSecretPath, findDeviceSecret } from './backup-secret.js';

export interface DeviceSecretWarning {
  problem: 'missing' | 'unreadable' | 'replaced';
  /** The file or credential the daemon reads it from (never the secret). */
  where: string;
}

/** Undefined when the secret the daemon would read (credential first, then keys/device.secret) is `isRunning`'s. */
export function checkDeviceSecret(dataDir: string, isRunning: (secret: string) => boolean, env: NodeJS.ProcessEnv = process.env): DeviceSecretWarning | undefined {
  const cred = env.CREDENTIALS_DIRECTORY ? join(env.CREDENTIALS_DIRECTORY, DEVICE_SECRET_CREDENTIAL) : undefined;
  const where = cred && existsSync(cred) ? `the credential ${DEVICE_SECRET_CREDENTIAL}` : deviceSecretPath(dataDir);
  let found: SecretSource | undefined;
  try {
    found = findDeviceSecret(dataDir, ErrorCodes.KEY_FILE_INVALID, env);
  } catch {
    return { problem: 'unreadable', where };
  }
  if (!found) return { problem: 'missing', where };
  return isRunning(found.secret) ? undefined : { problem: 'replaced', where };
}
