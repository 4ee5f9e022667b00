/**
 * API tokens for integrations (Prometheus, scripts, fleet tools). Created for a user and carrying that user's
 * role; shown once, stored as a hash, revocable; each use is recorded (at most once a minute per token).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../records/database.js';
import { ErrorCodes, SonoError } from '../errors.js';
import { bestEffortWrite } from './best-effort.js';
import { hashBearer, newBearerSecret } from './ids.js';
import { isRole, type Role } from './roles.js';
import type { Principal } from './sessions.js';

export interface TokenInfo {
  id: string;
  user: string;
  role: Role;
  label: string | null;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN_PREFIX = 'sonoedge_';
const NOTE_USE_EVERY_MS = 60_000;

interface Row {
  id: string;
  user_id: number;
  label: string | null;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  name: string;
  role: string;
  disabled_at: string | null;
}

function toInfo(r: Row): TokenInfo {
  return { id: r.id, user: r.name, role: isRole(r.role) ? r.role : 'clinician', label: r.label, createdAt: r.created_at, createdBy: r.created_by, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

export class TokenStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Creates a token for `userName`; the returned `token` is the only copy there will ever be. */
  create(userName: string, options: { label?: string; createdBy?: string } = {}): { id: string; token: string } {
    const user = this.#db.prepare('SELECT id, disabled_at FROM users WHERE name = ?').get(userName) as { id: number; disabled_at: string | null } | undefined;
    if (!user) throw new SonoError(ErrorCodes.ACCESS_USER_NOT_FOUND, `No user named "${userName}"; create the account first (sonoedge users add).`);
    if (user.disabled_at !== null) throw new SonoError(ErrorCodes.ACCESS_USER_INVALID, `User "${userName}" is disabled; a token for it would not work.`);
    const id = 'tok_' + randomBytes(6).toString('hex');
    const token = newBearerSecret(TOKEN_PREFIX);
    this.#db
      .prepare('INSERT INTO tokens (id, token_hash, user_id, label, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, hashBearer(token), user.id, options.label ?? null, new Date().toISOString(), options.createdBy ?? null);
    return { id, token };
  }

  resolve(token: string, now = Date.now()): Principal | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = this.#db.prepare('SELECT t.*, u.name, u.role, u.disabled_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?').get(hashBearer(token)) as Row | undefined;
    if (!row || row.revoked_at !== null || row.disabled_at !== null || !isRole(row.role)) return undefined;
    if (!row.last_used_at || now - Date.parse(row.last_used_at) > NOTE_USE_EVERY_MS) {
      // a note, not a condition: a full disk must not refuse the token (best-effort.ts)
      bestEffortWrite(() => this.#db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(new Date(now).toISOString(), row.id));
    }
    return { userId: row.user_id, name: row.name, role: row.role, via: 'token', credentialId: row.id };
  }

  /** Whether a token found earlier still works (not revoked, its account not disabled). */
  isLive(id: string): boolean {
    const row = this.#db.prepare('SELECT t.revoked_at, u.disabled_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?').get(id) as
      { revoked_at: string | null; disabled_at: string | null } | undefined;
    return row !== undefined && row.revoked_at === null && row.disabled_at === null;
  }

  list(): TokenInfo[] {
    return (this.#db.prepare('SELECT t.*, u.name, u.role, u.disabled_at FROM tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at').all() as Row[]).map(toInfo);
  }

  revoke(id: string): TokenInfo {
    const info = this.#db.prepare('UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(new Date().toISOString(), id);
    if (info.changes === 0) throw new SonoError(ErrorCodes.ACCESS_TOKEN_NOT_FOUND, `No token with id "${id}"; \`GET /api/tokens\` lists them.`);
    return this.list().find((t) => t.id === id)!;
  }
}
