/** Bearer secrets (session ids, API tokens): 256 random bits, only their SHA-256 is stored. */
import { createHash, randomBytes } from 'node:crypto';

export function newBearerSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** A plain hash is enough: the input is 256 random bits, not something a person chose. */
export function hashBearer(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
