/**
 * Checking a name and a PIN or password: lockout first (no hashing while locked), then the hash; every
 * failure is counted and audited, and so is every attempt refused by a lockout.
 *
 * An attempt refused by a lockout is audited but not counted, and does not lengthen the wait: it checked no
 * secret, so it is no guess. Counting it would let a burst of requests from anyone on the network push an
 * account to the longest wait in a second, and would punish a clinician who taps again too early. So a burst
 * of ten wrong PINs makes five free failures and one counted lock of 1 s (the other four are refused); the
 * wait grows only with failures made after the previous wait has ended (src/access/lockout.ts).
 *
 * The hash itself waits its turn in a bounded queue served by client address in turn (src/access/hash-queue.ts);
 * `client` is always an address (the caller's 'unknown' when it has none), never the account-management lane.
 * An attempt over the queue's bounds is refused at once ('busy': audited, neither counted nor hashed), the same
 * for a known name and an unknown one: the refusal depends only on the address and the queue, never the name.
 * An attempt whose client went away (`gone` aborted: its connection closed) while its hash waited is not
 * hashed ('gone': audited as connection closed, neither counted nor a lockout).
 */
import type { AuditTrail } from '../audit/audit-trail.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from '../records/database.js';
import type { HashQueueEvent, HashQueueLoad } from './hash-queue.js';
import { LOCKOUT, delayAfter } from './lockout.js';
import type { SecretHasher } from './secrets.js';
import type { User, UserStore } from './users.js';

export type SignInResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'failed' }
  | { ok: false; reason: 'locked'; retryAfterMs: number }
  /** the hashing queue is full for this address or in all: `message` says what to do */
  | { ok: false; reason: 'busy'; retryAfterMs: number; message: string }
  /** the client went away before its hash's turn: not hashed, nobody to answer */
  | { ok: false; reason: 'gone' };

/** The queue's refusal, when `err` is one. */
function busyOf(err: unknown): SonoError | undefined {
  return err instanceof SonoError && err.code === ErrorCodes.ACCESS_SIGN_IN_BUSY ? err : undefined;
}

export class SignIn {
  readonly #db: Db;
  readonly #users: UserStore;
  readonly #hasher: SecretHasher;
  readonly #audit: AuditTrail;
  /** Names with a check in flight: a second attempt in parallel would dodge the lockout it might earn. */
  readonly #inFlight = new Set<string>();

  constructor(db: Db, users: UserStore, hasher: SecretHasher, audit: AuditTrail) {
    this.#db = db;
    this.#users = users;
    this.#hasher = hasher;
    this.#audit = audit;
  }

  /**
   * `at`: when the attempt is made (tests and replays); by default the clock, read at the lock check and again
   * once the hash is known, so that a slow hash on a loaded device does not eat into the wait it earns.
   * `gone`: aborted once nobody waits for the answer (the client's connection closed).
   */
  async attempt(name: string, secret: string, client: string, at?: number, gone?: AbortSignal): Promise<SignInResult> {
    const base = { client, action: 'session.sign-in', target: name } as const;
    try {
      return await this.#attempt(name, secret, client, base, at, gone);
    } catch (err) {
      const busy = busyOf(err);
      if (!busy) throw err;
      if (busy.details?.scope === 'gone') {
        this.#audit.record({ ...base, user: null, outcome: 'denied', details: { reason: 'connection closed' } });
        return { ok: false, reason: 'gone' };
      }
      const retryAfterMs = Number(busy.details?.retryAfterS ?? 1) * 1000;
      this.#audit.record({ ...base, user: null, outcome: 'denied', details: { reason: 'busy', scope: busy.details?.scope ?? null, retryAfterMs } });
      return { ok: false, reason: 'busy', retryAfterMs, message: busy.message };
    }
  }

  /** The hashing queue now: places held, the most ever held, hashes done and refused. */
  hashLoad(): HashQueueLoad {
    return this.#hasher.queue.load();
  }

  /** Calls `listener` with each hash queued, started or refused from now on (tests, diagnostics); returns the stop. */
  observeHashes(listener: (e: HashQueueEvent) => void): () => void {
    return this.#hasher.queue.observe(listener);
  }

  async #attempt(
    name: string,
    secret: string,
    client: string,
    base: { client: string; action: 'session.sign-in'; target: string },
    at: number | undefined,
    gone: AbortSignal | undefined,
  ): Promise<SignInResult> {
    const now = at ?? Date.now();
    const user = this.#users.find(name);
    if (!user || user.disabled) {
      await this.#hasher.spendEqualTime(secret, client, gone);
      this.#audit.record({ ...base, outcome: 'failed', details: { reason: user ? 'account disabled' : 'no such user' } });
      return { ok: false, reason: 'failed' };
    }
    const key = user.name.toLowerCase();
    const lockedUntil = Math.max(user.lockedUntil, this.#hourlyCapUntil(user.id, now));
    if (lockedUntil > now || this.#inFlight.has(key)) {
      const retryAfterMs = Math.max(lockedUntil - now, 1000);
      this.#audit.record({ ...base, user: null, outcome: 'denied', details: { reason: 'locked', retryAfterMs } });
      return { ok: false, reason: 'locked', retryAfterMs };
    }
    this.#inFlight.add(key);
    let ok: boolean;
    try {
      ok = await this.#hasher.verify(secret, user.secretHash, client, gone);
    } finally {
      this.#inFlight.delete(key);
    }
    if (ok) {
      this.#db.prepare('UPDATE users SET failures_in_row = 0, locked_until = 0 WHERE id = ?').run(user.id);
      this.#audit.record({ ...base, user: user.name, role: user.role, outcome: 'ok' });
      return { ok: true, user: { id: user.id, name: user.name, role: user.role, createdAt: user.createdAt, disabled: false } };
    }
    const failedAt = at ?? Date.now();
    const failures = this.#recordFailure(user.id, failedAt);
    this.#audit.record({ ...base, outcome: 'failed', details: { reason: 'wrong secret', failuresInRow: failures.inRow } });
    if (failures.lockedUntil > failedAt) {
      this.#audit.record({ client, action: 'session.lockout', target: user.name, outcome: 'denied', details: { failuresInRow: failures.inRow, lockedForMs: failures.lockedUntil - failedAt } });
      return { ok: false, reason: 'locked', retryAfterMs: failures.lockedUntil - failedAt };
    }
    return { ok: false, reason: 'failed' };
  }

  #recordFailure(userId: number, now: number): { inRow: number; lockedUntil: number } {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM sign_in_failures WHERE at <= ?').run(now - LOCKOUT.hourMs);
      this.#db.prepare('INSERT INTO sign_in_failures (user_id, at) VALUES (?, ?)').run(userId, now);
      const { failures_in_row: inRow } = this.#db.prepare('UPDATE users SET failures_in_row = failures_in_row + 1 WHERE id = ? RETURNING failures_in_row').get(userId) as { failures_in_row: number };
      const lockedUntil = Math.max(now + delayAfter(inRow), this.#hourlyCapUntil(userId, now));
      this.#db.prepare('UPDATE users SET locked_until = ? WHERE id = ?').run(lockedUntil, userId);
      return { inRow, lockedUntil };
    })();
  }

  /** When the hourly cap is reached: locked until the oldest failure of the hour is an hour old. */
  #hourlyCapUntil(userId: number, now: number): number {
    const rows = this.#db.prepare('SELECT at FROM sign_in_failures WHERE user_id = ? AND at > ? ORDER BY at DESC LIMIT ?').all(userId, now - LOCKOUT.hourMs, LOCKOUT.hourlyCap) as Array<{
      at: number;
    }>;
    if (rows.length < LOCKOUT.hourlyCap) return 0;
    return rows[rows.length - 1]!.at + LOCKOUT.hourMs;
  }
}
