/**
 * Signed-in sessions: the browser holds a 256-bit random id in an HttpOnly cookie, the database its hash.
 * A session ends at sign-out, when its account is disabled, after `idleMs` without a request, or `absoluteMs`
 * after sign-in, whichever comes first. Every check reads the database (the CLI may disable an account).
 */
import type { Db } from '../records/database.js';
import { isRole, type Role } from './roles.js';
import { bestEffortWrite } from './best-effort.js';
import { hashBearer, newBearerSecret } from './ids.js';

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export interface Principal {
  userId: number;
  name: string;
  role: Role;
  via: 'session' | 'token';
  /** The session's id hash or the token's public id: what sign-out or revocation acts on. */
  credentialId: string;
}

/** last_seen_at is written at most this often: one write per request would be wasted wear. */
const TOUCH_EVERY_MS = 15_000;

interface Row {
  id_hash: string;
  user_id: number;
  created_at: number;
  last_seen_at: number;
  revoked_at: number | null;
  name: string;
  role: string;
  disabled_at: string | null;
}

export class SessionStore {
  readonly #db: Db;
  readonly #timeouts: SessionTimeouts;

  constructor(db: Db, timeouts: SessionTimeouts) {
    this.#db = db;
    this.#timeouts = timeouts;
  }

  get timeouts(): SessionTimeouts {
    return this.#timeouts;
  }

  /** Opens a session; returns the raw id (for the cookie, never stored) and when it ends at the latest. */
  create(userId: number, client: string, now = Date.now()): { id: string; expiresAt: number } {
    const id = newBearerSecret();
    this.#db.prepare('INSERT INTO sessions (id_hash, user_id, client, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)').run(hashBearer(id), userId, client, now, now);
    this.#db.prepare('DELETE FROM sessions WHERE created_at < ? OR revoked_at < ?').run(now - this.#timeouts.absoluteMs, now - this.#timeouts.absoluteMs);
    return { id, expiresAt: now + this.#timeouts.absoluteMs };
  }

  /** The principal behind a raw session id, or why there is none. */
  resolve(rawId: string, now = Date.now()): Principal | 'expired' | undefined {
    const row = this.#db.prepare(`SELECT s.*, u.name, u.role, u.disabled_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`).get(hashBearer(rawId)) as Row | undefined;
    if (!row || row.revoked_at !== null || row.disabled_at !== null || !isRole(row.role)) return undefined;
    if (now - row.last_seen_at > this.#timeouts.idleMs || now - row.created_at > this.#timeouts.absoluteMs) return 'expired';
    // a note, not a condition: a full disk must not sign the user out (best-effort.ts); the idle clock then
    // runs from the last touch that was written
    if (now - row.last_seen_at > TOUCH_EVERY_MS) bestEffortWrite(() => this.#db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, row.id_hash));
    return { userId: row.user_id, name: row.name, role: row.role, via: 'session', credentialId: row.id_hash };
  }

  /** Whether a session found earlier still stands (a live WebSocket asks this now and then; no touch). */
  isLive(idHash: string, now = Date.now()): boolean {
    const row = this.#db.prepare('SELECT s.*, u.disabled_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?').get(idHash) as Row | undefined;
    return row !== undefined && row.revoked_at === null && row.disabled_at === null && now - row.created_at <= this.#timeouts.absoluteMs;
  }

  revoke(idHash: string, now = Date.now()): void {
    this.#db.prepare('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL').run(now, idHash);
  }
}
