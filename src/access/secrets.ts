/**
 * PINs and passwords: checked for form, then hashed with scrypt at the OWASP ASVS level 2 cost
 * (N = 2^17, r = 8, p = 1: 128 MiB and a few hundred ms per hash). Before scrypt the secret is keyed with
 * HMAC-SHA-256 under a pepper derived from the device secret, so a stolen database alone does not let anyone
 * search the 10^6 six-digit PINs offline. crypto.scrypt runs in libuv's thread pool: the event loop (and so
 * the live view) keeps running while a clinician signs in. Every hash goes through one bounded queue that
 * serves its lanes in turn (src/access/hash-queue.ts): a sign-in names its address and may be refused; account
 * management asks for its own lane by name.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, SonoError } from '../errors.js';
import { HASH_QUEUE_LIMITS, HashQueue, type HashQueueLimits } from './hash-queue.js';
import { type Role, secretKindOf } from './roles.js';

export const SCRYPT_COST = { logN: 17, r: 8, p: 1, keyLen: 32 } as const;
/** scrypt needs 128·N·r bytes; node refuses above 32 MiB unless maxmem is raised. */
const MAXMEM = 2 * 128 * 2 ** SCRYPT_COST.logN * SCRYPT_COST.r;
const SCHEME = 'scrypt-hmac';

/** Throws a coded error when `secret` is not the kind `role` signs in with. */
export function checkSecretForm(role: Role, secret: string): void {
  if (secretKindOf(role) === 'pin') {
    if (!/^[0-9]{6,12}$/.test(secret))
      throw new SonoError(
        ErrorCodes.ACCESS_SECRET_INVALID,
        `A ${role} signs in with a PIN of 6 to 12 digits; the one given has ${secret.length} characters${/^[0-9]*$/.test(secret) ? '' : ', not all digits'}. Choose another.`,
      );
    return;
  }
  const length = [...secret].length;
  if (length < 12 || length > 256) throw new SonoError(ErrorCodes.ACCESS_SECRET_INVALID, `A ${role} signs in with a password of 12 to 256 characters; the one given has ${length}. Choose another.`);
}

function scryptAsync(input: Buffer, salt: Buffer): Promise<Buffer> {
  const { logN, r, p, keyLen } = SCRYPT_COST;
  return new Promise((resolve, reject) => {
    scrypt(input, salt, keyLen, { N: 2 ** logN, r, p, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes and checks secrets under one device's pepper. */
export class SecretHasher {
  readonly #pepper: Buffer;
  /** At most `concurrent` hashes at once (each holds 128 MiB, and a board has little to spare), bounded waiting. */
  readonly queue: HashQueue;

  constructor(deviceSecret: string, limits: HashQueueLimits = HASH_QUEUE_LIMITS) {
    this.#pepper = createHmac('sha256', deviceSecret).update('sonoedge secret pepper v1').digest();
    this.queue = new HashQueue(limits);
  }

  /** A new secret's hash (account management: queued in the account lane, never refused). */
  async hash(secret: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.queue.forAccount(() => scryptAsync(this.#keyed(secret), salt));
    const { logN, r, p } = SCRYPT_COST;
    return [SCHEME, logN, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /**
   * True when `secret` matches `stored`; false for a wrong secret or a hash this code cannot read. `client`: the
   * address signing in (none: the 'unknown' lane, bounded like any address); throws SONO_ACCESS_SIGN_IN_BUSY at
   * once when it is over the queue's bounds.
   */
  async verify(secret: string, stored: string, client = 'unknown', gone?: AbortSignal): Promise<boolean> {
    const [scheme, logN, r, p, salt, key] = stored.split('$');
    if (scheme !== SCHEME || Number(logN) !== SCRYPT_COST.logN || Number(r) !== SCRYPT_COST.r || Number(p) !== SCRYPT_COST.p || !salt || !key) return false;
    const want = Buffer.from(key, 'base64');
    const got = await this.#derive(secret, Buffer.from(salt, 'base64'), client, gone);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** Spends the time a real check would, so an unknown name answers as slowly as a wrong PIN. */
  async spendEqualTime(secret: string, client = 'unknown', gone?: AbortSignal): Promise<void> {
    await this.#derive(secret, randomBytes(16), client, gone);
  }

  /** A sign-in's hash, in `client`'s lane (bounded); not done when `gone` aborts before its turn. */
  #derive(secret: string, salt: Buffer, client: string, gone?: AbortSignal): Promise<Buffer> {
    const keyed = this.#keyed(secret);
    return this.queue.forSignIn(client, () => scryptAsync(keyed, salt), gone);
  }

  #keyed(secret: string): Buffer {
    return createHmac('sha256', this.#pepper).update(secret, 'utf8').digest();
  }
}
