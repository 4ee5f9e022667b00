/**
 * Credentials for the tests of features behind the access plugin. Every route but health answers 401 without
 * credentials, so a test of another feature signs in first, as a script would: an account and an API token
 * made through the access services (what `sonoedge users add` and `sonoedge tokens create` do), sent as
 * `Authorization: Bearer …`. The access tests themselves (test/access*) send their own credentials.
 *
 * `authorizeRequestsTo(url, auth)` makes this test file's fetch() calls to that daemon carry the token when the
 * call sends no credentials of its own; `liveHeaders(url)` gives the WebSocket clients the same. A call that
 * must be anonymous sends `authorization: ''`: the helper leaves it alone, and the daemon takes an empty or
 * malformed Authorization as no valid credentials (public routes answer as to anyone, others 401).
 *
 * `failSignInsBefore(signIn, name, …)` gives an account a history of failed sign-ins that ended just before now,
 * so a test sees a long lockout at once instead of waiting for the schedule of src/access/lockout.ts.
 */
import { join } from 'node:path';
import { type AccessServices, openAccess } from '../../src/access/access.js';
import { delayAfter } from '../../src/access/lockout.js';
import type { Role } from '../../src/access/roles.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';

export const SECRETS: Record<Role, string> = { clinician: '482913', technician: 'technician-pass-1', admin: 'admin-password-1' };

export interface TestAuth {
  user: string;
  role: Role;
  token: string;
  headers: { authorization: string };
}

/** Adds the account `name` (default: named after its role) with its role's test secret, and a token for it. */
export async function addTokenUser(services: AccessServices, role: Role = 'admin', name: string = role): Promise<TestAuth> {
  if (!services.users.find(name)) await services.users.add(name, role, SECRETS[role]);
  const { token } = services.tokens.create(name, { label: 'test' });
  return { user: name, role, token, headers: { authorization: `Bearer ${token}` } };
}

/** An admin token for a daemon running in another process on `dataDir` (the CLI's way: the database is shared). */
export async function addTokenUserIn(dataDir: string, role: Role = 'admin'): Promise<TestAuth> {
  const db = openDatabase(join(dataDir, 'records.db'), loadOrCreateKey(join(dataDir, 'keys', 'records.key'), {}));
  try {
    return await addTokenUser(openAccess(db, loadOrCreateKey(join(dataDir, 'keys', 'device.secret'), {}, 'sonoedge-device-secret')), role);
  } finally {
    db.close();
  }
}

/**
 * `count` wrong secrets for `name`, each made when the wait earned by the one before had just ended (the real
 * schedule, delayAfter), the last wait over 1 ms before `now`; through the real SignIn with explicit times.
 * The next wrong secret then counts as failure `count + 1` and locks `name` for delayAfter(count + 1): with
 * count 15, the longest wait (15 min). About half a second of hashing per failure.
 */
export async function failSignInsBefore(signIn: AccessServices['signIn'], name: string, wrongSecret: string, count: number, now = Date.now()): Promise<void> {
  const waits = Array.from({ length: count }, (_, i) => delayAfter(i + 1));
  let at = now - 1 - waits.reduce((a, b) => a + b, 0);
  for (const wait of waits) {
    const r = await signIn.attempt(name, wrongSecret, '127.0.0.1', at);
    const waitGot = r.ok ? -1 : r.reason === 'locked' ? r.retryAfterMs : 0;
    if (waitGot !== wait) throw new Error(`Failed sign-in of ${name} at ${at} answered ${JSON.stringify(r)}, not a wait of ${wait} ms`);
    at += wait;
  }
}

const byOrigin = new Map<string, TestAuth['headers']>();
let realFetch: typeof fetch | undefined;

/** Credentials registered for the daemon at `url` (empty when none). */
export function liveHeaders(url: string): Record<string, string> {
  return { ...byOrigin.get(new URL(url.replace(/^ws/, 'http')).origin) };
}

/** From now on, fetch() calls in this test file to `url`'s origin that carry no Authorization or Cookie header send `auth`'s token. */
export function authorizeRequestsTo(url: string, auth: Pick<TestAuth, 'headers'>): void {
  byOrigin.set(new URL(url).origin, auth.headers);
  if (realFetch) return;
  const original = globalThis.fetch;
  realFetch = original;
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const target = input instanceof Request ? input.url : String(input);
    const extra = byOrigin.get(new URL(target).origin);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!extra || headers.has('authorization') || headers.has('cookie')) return original(input, init);
    headers.set('authorization', extra.authorization);
    return original(input, { ...init, headers });
  };
}

/** The part of a playwright BrowserContext this needs (its request client shares the context's cookies). */
interface CookieContext {
  request: { post(url: string, o: { data: unknown; headers: Record<string, string> }): Promise<{ status(): number }> };
}

/**
 * Signs a browser context in as `user` through `POST /api/session`: the session cookie lands in the context,
 * so its pages open signed in. The browser tests' ONE place for signing in, until they sign in through the
 * UI's own sign-in screen (then only this function changes).
 */
export async function signInContext(context: CookieContext, url: string, user = 'admin', secret: string = SECRETS.admin): Promise<void> {
  const r = await context.request.post(`${url}/api/session`, { data: { user, secret }, headers: { origin: new URL(url).origin } });
  if (r.status() !== 200) throw new Error(`Sign-in of ${user} at ${url} answered ${r.status()}`);
}
