/**
 * Everything about who may do what, over one records database and one device secret: accounts, sign-in
 * with lockout, sessions, API tokens and the audit trail. The daemon, the CLI and the HTTP plugin all build
 * it with openAccess and share nothing in memory: the database is the single source of truth.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuditTrail } from '../audit/audit-trail.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../records/database.js';
import { SecretHasher } from './secrets.js';
import { type Principal, SessionStore } from './sessions.js';
import { SignIn } from './sign-in.js';
import { TokenStore } from './tokens.js';
import { UserStore } from './users.js';

export interface AccessServices {
  users: UserStore;
  sessions: SessionStore;
  tokens: TokenStore;
  signIn: SignIn;
  audit: AuditTrail;
  /** Minutes of no touch before the touchscreen locks (the UI reads it from GET /api/session/users). */
  autoLockMinutes: number;
  /** Whether `candidate` is the device secret these services run with (PINs and the audit chain are keyed with it). */
  isDeviceSecret(candidate: string): boolean;
}

export type AccessSettings = Config['access'];

export const DEFAULT_ACCESS_SETTINGS: AccessSettings = { sessionIdleMinutes: 30, sessionMaxHours: 12, autoLockMinutes: 15 };

export function openAccess(db: Db, deviceSecret: string, settings: AccessSettings = DEFAULT_ACCESS_SETTINGS): AccessServices {
  const hasher = new SecretHasher(deviceSecret);
  const users = new UserStore(db, hasher);
  const audit = new AuditTrail(db, deviceSecret);
  return {
    users,
    sessions: new SessionStore(db, { idleMs: settings.sessionIdleMinutes * 60_000, absoluteMs: settings.sessionMaxHours * 3_600_000 }),
    tokens: new TokenStore(db),
    signIn: new SignIn(db, users, hasher, audit),
    audit,
    autoLockMinutes: settings.autoLockMinutes,
    isDeviceSecret: (candidate) => {
      const [a, b] = [candidate, deviceSecret].map((s) => createHash('sha256').update(s).digest());
      return timingSafeEqual(a!, b!);
    },
  };
}

/**
 * Whether the credential behind `p` still stands: a WebSocket outlives the request that opened it, so the live
 * view asks this periodically and closes the socket of a user signed out, disabled or revoked meanwhile. The idle
 * timeout is not applied here: watching the live view is use.
 */
export function principalIsLive(services: AccessServices, p: Principal): boolean {
  return p.via === 'session' ? services.sessions.isLive(p.credentialId) : services.tokens.isLive(p.credentialId);
}
