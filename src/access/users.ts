/**
 * Accounts in the records database. Read from the database on every use (no cache), so an account the CLI
 * adds or disables takes effect at once in a daemon running on the same data directory.
 */
import type { Db } from '../records/database.js';
import { ErrorCodes, SonoError } from '../errors.js';
import { type Role, isRole } from './roles.js';
import { type SecretHasher, checkSecretForm } from './secrets.js';

export interface User {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  disabled: boolean;
}

/** What sign-in needs besides the public fields. */
export interface UserSecretRow extends User {
  secretHash: string;
  failuresInRow: number;
  /** ms since the epoch; 0 when not locked */
  lockedUntil: number;
}

interface Row {
  id: number;
  name: string;
  role: string;
  secret_hash: string;
  created_at: string;
  disabled_at: string | null;
  failures_in_row: number;
  locked_until: number;
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,39}$/u;

export function checkUserName(name: string): void {
  if (!NAME.test(name) || name.trimEnd() !== name) {
    throw new SonoError(
      ErrorCodes.ACCESS_USER_INVALID,
      `User name "${name}" is not allowed: use 1 to 40 letters, digits, spaces, dots, dashes, apostrophes or underscores, starting with a letter or digit.`,
    );
  }
}

function toUser(r: Row): UserSecretRow {
  if (!isRole(r.role)) throw new SonoError(ErrorCodes.DATABASE_FAILED, `User ${r.name} has an unknown role "${r.role}" in the database`);
  return { id: r.id, name: r.name, role: r.role, createdAt: r.created_at, disabled: r.disabled_at !== null, secretHash: r.secret_hash, failuresInRow: r.failures_in_row, lockedUntil: r.locked_until };
}

function publicUser(u: UserSecretRow): User {
  return { id: u.id, name: u.name, role: u.role, createdAt: u.createdAt, disabled: u.disabled };
}

export class UserStore {
  readonly #db: Db;
  readonly #hasher: SecretHasher;

  constructor(db: Db, hasher: SecretHasher) {
    this.#db = db;
    this.#hasher = hasher;
  }

  async add(name: string, role: Role, secret: string): Promise<User> {
    checkUserName(name);
    checkSecretForm(role, secret);
    const existing = this.find(name);
    if (existing) {
      throw new SonoError(
        ErrorCodes.ACCESS_USER_EXISTS,
        existing.disabled
          ? `A disabled account is named "${name}"; enable it again (\`sonoedge users enable ${name}\`, then set a new secret) or choose another name.`
          : `User "${name}" already exists; choose another name.`,
      );
    }
    const hash = await this.#hasher.hash(secret);
    try {
      this.#db.prepare('INSERT INTO users (name, role, secret_hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, hash, new Date().toISOString());
    } catch (err) {
      // the CLI and the daemon may add the same name at once: the UNIQUE constraint decides
      if (String(err).includes('UNIQUE')) throw new SonoError(ErrorCodes.ACCESS_USER_EXISTS, `User "${name}" already exists; choose another name.`, { cause: err });
      throw err;
    }
    return publicUser(this.find(name)!);
  }

  /** Adds the first account only while there is none, atomically (two first starts cannot both win). */
  async addFirst(name: string, role: Role, secret: string): Promise<User | undefined> {
    checkUserName(name);
    checkSecretForm(role, secret);
    if (this.count() > 0) return undefined;
    const hash = await this.#hasher.hash(secret);
    const info = this.#db.prepare('INSERT INTO users (name, role, secret_hash, created_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)').run(name, role, hash, new Date().toISOString());
    return info.changes === 1 ? publicUser(this.find(name)!) : undefined;
  }

  find(name: string): UserSecretRow | undefined {
    const r = this.#db.prepare('SELECT * FROM users WHERE name = ?').get(name) as Row | undefined;
    return r && toUser(r);
  }

  byId(id: number): UserSecretRow | undefined {
    const r = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r && toUser(r);
  }

  list(): User[] {
    return (this.#db.prepare('SELECT * FROM users ORDER BY name').all() as Row[]).map((r) => publicUser(toUser(r)));
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) n FROM users').get() as { n: number }).n;
  }

  /**
   * Disables the account and, in the same transaction, revokes its sessions and tokens. The last enabled
   * administrator is never disabled (review: an admin who disabled themselves left the device with nobody to
   * manage accounts, tokens or the audit trail over the network, and no way back): add another first.
   */
  disable(name: string): User {
    const user = this.#existing(name);
    const now = Date.now();
    this.#db.transaction(() => {
      const admins = (this.#db.prepare("SELECT count(*) n FROM users WHERE role = 'admin' AND disabled_at IS NULL").get() as { n: number }).n;
      if (user.role === 'admin' && !user.disabled && admins <= 1) {
        throw new SonoError(ErrorCodes.ACCESS_LAST_ADMIN, `"${name}" is the only enabled administrator; add another administrator first, then disable this one.`);
      }
      this.#db.prepare('UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?').run(new Date(now).toISOString(), user.id);
      this.#db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(now, user.id);
      this.#db.prepare('UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(new Date(now).toISOString(), user.id);
    })();
    return publicUser(this.find(name)!);
  }

  /** Enables a disabled account again; its old sessions and tokens stay revoked (sign in again, make new tokens). */
  enable(name: string): User {
    this.#existing(name);
    this.#db.prepare('UPDATE users SET disabled_at = NULL WHERE name = ?').run(name);
    return publicUser(this.find(name)!);
  }

  #existing(name: string): UserSecretRow {
    const user = this.find(name);
    if (!user) throw new SonoError(ErrorCodes.ACCESS_USER_NOT_FOUND, `No user named "${name}"; \`sonoedge users list\` shows the accounts.`);
    return user;
  }

  /**
   * A new PIN or password (an admin's reset): also lifts a lockout, the hourly cap included (the failures it
   * counts were guesses at the old secret), and, in the same transaction, revokes the account's sessions: a
   * reset is what follows a PIN seen or a tablet left signed in, so whoever signed in with the old secret is out
   * (an open live view is closed at its next credential check). `keepSession` (a session's id hash) is spared:
   * a user changing their own secret stays signed in where they did it. API tokens are not touched (they do
   * not derive from the secret; revoke them with DELETE /api/tokens/:id).
   */
  async setSecret(name: string, secret: string, o: { keepSession?: string } = {}): Promise<User> {
    const user = this.find(name);
    if (!user) throw new SonoError(ErrorCodes.ACCESS_USER_NOT_FOUND, `No user named "${name}"; GET /api/users lists the accounts.`);
    checkSecretForm(user.role, secret);
    const hash = await this.#hasher.hash(secret);
    const now = Date.now();
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE users SET secret_hash = ?, failures_in_row = 0, locked_until = 0 WHERE id = ?').run(hash, user.id);
      this.#db.prepare('DELETE FROM sign_in_failures WHERE user_id = ?').run(user.id);
      this.#db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id_hash IS NOT ?').run(now, user.id, o.keepSession ?? null);
    })();
    return publicUser(this.find(name)!);
  }
}
