/**
 * The access plugin over real HTTP semantics (fastify inject, real cookies, a real SQLite file), on a small app
 * of the test's own; the WebSocket checks use a real listening socket.
 */
import { join } from 'node:path';
import Fastify from 'fastify';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, ROLES, type Access, type Role } from '../../src/access/roles.js';
import { openAccess } from '../../src/access/access.js';
import { deviceNames } from '../../src/access/device-names.js';
import accessPlugin from '../../src/server/access/plugin.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, PINS, accessTestApp, addRoleUsers, openDataDir } from './access-app.js';

const ORIGIN = 'http://localhost:80';
let t: AccessTestApp;
const tokens = {} as Record<Role, string>;

async function signIn(user: string, secret: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string | undefined; body: Record<string, unknown>; setCookie: string }> {
  const r = await t.app.inject({ method: 'POST', url: '/api/session', payload: { user, secret }, headers: { origin: ORIGIN, ...headers } });
  const setCookie = String(r.headers['set-cookie'] ?? '');
  const m = /^sonoedge=([^;]+)/.exec(setCookie);
  return { status: r.statusCode, cookie: m ? `sonoedge=${m[1]}` : undefined, body: r.json(), setCookie };
}

beforeAll(async () => {
  t = await accessTestApp(join(tempDir('sonoedge-access-plugin-'), 'data'));
  await addRoleUsers(t.services);
  for (const role of ROLES) tokens[role] = t.services.tokens.create(role).token;
});
afterAll(async () => t.app.close());

describe('role matrix over every route the app registered', () => {
  /** A concrete URL and body for a route pattern. */
  const request = (r: { method: string; url: string }): { url: string; payload?: unknown } => ({
    url: r.url.replace(/:(\w+)/g, 'x').replace('*', 'index.html'),
    payload: ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) ? {} : undefined,
  });

  it('answers 401 to anonymous callers and 403 to the wrong role on every non-public route', async () => {
    const routes = t.routes.filter((r) => r.url !== '/api/live'); // the WebSocket has its own tests below
    expect(routes.length).toBeGreaterThan(20); // the plugin's, Swagger's and the app's own
    const failures: string[] = [];
    for (const r of routes) {
      const access = r.options.config?.access as Access;
      expect(access, `${r.method} ${r.url}`).toBeDefined();
      const { url, payload } = request(r);
      for (const who of [undefined, ...ROLES]) {
        const headers: Record<string, string> = who ? { authorization: `Bearer ${tokens[who]}` } : {};
        const res = await t.app.inject({ method: r.method as 'GET', url, payload: payload as object, headers });
        // a HEAD answer has no body: its status says which refusal it was
        const code = r.method === 'HEAD'
          ? ({ 401: 'SONO_ACCESS_UNAUTHENTICATED', 403: 'SONO_ACCESS_FORBIDDEN' } as Record<number, string>)[res.statusCode]
          : String(res.headers['content-type'] ?? '').includes('json') ? (res.json() as { code?: string }).code : undefined;
        const want = allows(who, access) ? 'allowed' : who === undefined ? 'SONO_ACCESS_UNAUTHENTICATED' : 'SONO_ACCESS_FORBIDDEN';
        const got = code === 'SONO_ACCESS_UNAUTHENTICATED' || code === 'SONO_ACCESS_FORBIDDEN' ? code : 'allowed';
        const status = { allowed: res.statusCode, SONO_ACCESS_UNAUTHENTICATED: 401, SONO_ACCESS_FORBIDDEN: 403 }[want];
        if (got !== want || res.statusCode !== status) failures.push(`${r.method} ${r.url} (${access}) as ${who ?? 'anonymous'}: ${res.statusCode} ${code ?? ''}, wanted ${want}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('declares the expected access on the routes the issue names', () => {
    const accessOf = (method: string, url: string): unknown => t.routes.find((r) => r.method === method && r.url === url)?.options.config?.access;
    expect(accessOf('GET', '/api/health')).toBe('public');
    expect(accessOf('POST', '/api/session')).toBe('public');
    expect(accessOf('GET', '/api/session/users')).toBe('public');
    expect(accessOf('GET', '/docs')).toBe('signed-in');
    expect(accessOf('GET', '/api/live')).toBe('signed-in');
    for (const [m, u] of [['GET', '/api/users'], ['POST', '/api/tokens'], ['GET', '/api/audit']]) expect(accessOf(m!, u!)).toBe('admin');
  });

  it('refuses to start when a route declares no access', async () => {
    const { db, deviceSecret } = openDataDir(join(tempDir('sonoedge-access-undeclared-'), 'data'));
    const app = Fastify();
    await app.register(accessPlugin, { services: openAccess(db, deviceSecret), secure: false, names: deviceNames(), maxWebSockets: 4, rateLimit: { max: 100, windowMs: 60_000, signInMax: 10 } });
    expect(() => app.get('/api/forgotten', async () => 'open')).toThrow(expect.objectContaining({ code: 'SONO_ACCESS_ROUTE_UNDECLARED', message: expect.stringContaining('GET /api/forgotten') }));
    await app.close();
    db.close();
  });

  it('answers 401 to an anonymous request whatever its body, and on unrouted /api paths', async () => {
    const big = await t.app.inject({ method: 'POST', url: '/api/exams', payload: 'x'.repeat(2_000_000), headers: { 'content-type': 'application/octet-stream' } });
    expect([big.statusCode, big.json().code]).toEqual([401, 'SONO_ACCESS_UNAUTHENTICATED']);
    const broken = await t.app.inject({ method: 'POST', url: '/api/exams', payload: '{not json', headers: { 'content-type': 'application/json' } });
    expect(broken.statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/no-such-thing' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });
});

describe('sign-in, cookies and browser attacks', () => {
  it('signs in with an HttpOnly SameSite=Strict cookie, says who is signed in, and signs out for good', async () => {
    const s = await signIn('clinician', PINS.clinician);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ user: 'clinician', role: 'clinician', autoLockMinutes: 15 });
    expect(s.setCookie).toMatch(/HttpOnly/);
    expect(s.setCookie).toMatch(/SameSite=Strict/);
    expect(s.setCookie).not.toMatch(/Secure/); // plain HTTP (loopback): a Secure cookie would never come back
    const me = await t.app.inject({ url: '/api/session', headers: { cookie: s.cookie! } });
    expect(me.json()).toMatchObject({ user: 'clinician', role: 'clinician', via: 'session' });
    expect((await t.app.inject({ method: 'POST', url: '/api/exams', headers: { cookie: s.cookie!, origin: ORIGIN } })).json()).toEqual({ by: 'clinician' });
    const out = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: s.cookie!, origin: ORIGIN } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/exams', headers: { cookie: s.cookie! } })).statusCode).toBe(401); // the old cookie is dead
  });

  it('answers a wrong PIN with a coded 401 and no cookie', async () => {
    const s = await signIn('clinician', '000000');
    expect([s.status, s.body.code, s.cookie]).toEqual([401, 'SONO_ACCESS_SIGN_IN_FAILED', undefined]);
  });

  it('lists names for the touchscreen picker before sign-in, without patient data', async () => {
    const r = await t.app.inject({ url: '/api/session/users' });
    expect(r.json()).toEqual({
      setupNeeded: false, autoLockMinutes: 15,
      users: [{ name: 'admin', role: 'admin', secret: 'password' }, { name: 'clinician', role: 'clinician', secret: 'pin' }, { name: 'technician', role: 'technician', secret: 'password' }],
    });
  });

  it('refuses cookie requests that change state without the daemon\'s own Origin, and sign-ins from a foreign one', async () => {
    const s = await signIn('clinician', PINS.clinician);
    for (const headers of [{}, { origin: 'http://evil.example' }, { origin: 'http://localhost:81' }]) {
      const r = await t.app.inject({ method: 'POST', url: '/api/exams', headers: { cookie: s.cookie!, ...headers } });
      expect([r.statusCode, r.json().code]).toEqual([403, 'SONO_ACCESS_ORIGIN_REFUSED']);
    }
    // a read with the cookie needs no Origin; a bearer token needs none for anything
    expect((await t.app.inject({ url: '/api/exams', headers: { cookie: s.cookie! }, remoteAddress: '10.1.2.3' })).statusCode).toBe(200);
    expect(t.services.audit.list({ action: 'exam.list', limit: 1 })[0]).toMatchObject({ user: 'clinician', role: 'clinician', client: '10.1.2.3', outcome: 'ok' });
    expect((await t.app.inject({ method: 'POST', url: '/api/exams', headers: { authorization: `Bearer ${tokens.clinician}` } })).statusCode).toBe(200);
    const csrf = await signIn('clinician', PINS.clinician, { origin: 'http://evil.example' });
    expect([csrf.status, csrf.body.code]).toEqual([403, 'SONO_ACCESS_ORIGIN_REFUSED']);
  });

  it('refuses a Host that is not one of the device\'s names (DNS rebinding)', async () => {
    const r = await t.app.inject({ url: '/api/health', headers: { host: 'evil.example' } });
    expect([r.statusCode, r.json().code]).toEqual([421, 'SONO_ACCESS_HOST_REFUSED']);
    expect((await t.app.inject({ url: '/api/health', headers: { host: '127.0.0.1:8080' } })).statusCode).toBe(200);
  });

  it('refuses a revoked token and records when a token was last used', async () => {
    const { id, token } = t.services.tokens.create('technician');
    expect((await t.app.inject({ method: 'PUT', url: '/api/source', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect(t.services.tokens.list().find((x) => x.id === id)!.lastUsedAt).not.toBeNull();
    t.services.tokens.revoke(id);
    const r = await t.app.inject({ method: 'PUT', url: '/api/source', headers: { authorization: `Bearer ${token}` } });
    expect([r.statusCode, r.json().code]).toEqual([401, 'SONO_ACCESS_UNAUTHENTICATED']);
  });

  it('sends security headers (CSP, nosniff, frame options) and no HSTS on plain HTTP', async () => {
    const r = await t.app.inject({ url: '/api/health' });
    expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(r.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('admin routes', () => {
  const admin = { authorization: `Bearer ` };
  it('adds an account, creates and revokes a token, disables the account, and audits each change', async () => {
    admin.authorization = `Bearer ${tokens.admin}`;
    const add = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { name: 'Zoé Martin', role: 'clinician', secret: '12345678' } });
    expect([add.statusCode, add.json()]).toEqual([201, expect.objectContaining({ name: 'Zoé Martin', role: 'clinician', disabled: false })]);
    const weak = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { name: 'Yann', role: 'technician', secret: 'short' } });
    expect([weak.statusCode, weak.json().code]).toEqual([400, 'SONO_ACCESS_SECRET_INVALID']);
    const dup = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { name: 'zoé martin', role: 'clinician', secret: '12345678' } });
    expect([dup.statusCode, dup.json().code]).toEqual([409, 'SONO_ACCESS_USER_EXISTS']);
    const tok = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: admin, payload: { user: 'Zoé Martin', label: 'test' } });
    expect(tok.statusCode).toBe(201);
    const zoeToken = tok.json().token as string;
    expect((await t.app.inject({ url: '/api/exams', headers: { authorization: `Bearer ${zoeToken}` } })).statusCode).toBe(200);
    const listed = (await t.app.inject({ url: '/api/tokens', headers: admin })).json().tokens as Array<Record<string, unknown>>;
    expect(JSON.stringify(listed)).not.toContain(zoeToken);
    const dis = await t.app.inject({ method: 'POST', url: `/api/users/${encodeURIComponent('Zoé Martin')}/disable`, headers: admin });
    expect(dis.json()).toMatchObject({ disabled: true });
    expect((await t.app.inject({ url: '/api/exams', headers: { authorization: `Bearer ${zoeToken}` } })).statusCode).toBe(401);
    const audit = (await t.app.inject({ url: '/api/audit?action=user.&limit=4', headers: admin })).json().rows as Array<Record<string, unknown>>;
    expect(audit.map((r) => [r.action, r.target, r.outcome, r.user])).toEqual([
      ['user.disable', 'Zoé Martin', 'ok', 'admin'],
      ['user.create', 'zoé martin', 'failed', 'admin'],
      ['user.create', 'Yann', 'failed', 'admin'],
      ['user.create', 'Zoé Martin', 'ok', 'admin'],
    ]);
    expect((await t.app.inject({ url: '/api/audit/verify', headers: admin })).json()).toMatchObject({ ok: true });
  });
});

describe('first administrator', () => {
  it('is created only from loopback, only while no account exists', async () => {
    const fresh = await accessTestApp(join(tempDir('sonoedge-access-setup-'), 'data'));
    const body = { user: 'Root Admin', secret: 'first-admin-password' };
    expect((await fresh.app.inject({ url: '/api/session/users' })).json()).toMatchObject({ setupNeeded: true, users: [] });
    const remote = await fresh.app.inject({ method: 'POST', url: '/api/session/setup', payload: body, remoteAddress: '192.168.1.50' });
    expect([remote.statusCode, remote.json().code]).toEqual([403, 'SONO_ACCESS_SETUP_REFUSED']);
    const local = await fresh.app.inject({ method: 'POST', url: '/api/session/setup', payload: body, remoteAddress: '127.0.0.1' });
    expect([local.statusCode, local.json()]).toEqual([201, expect.objectContaining({ user: 'Root Admin', role: 'admin' })]);
    expect(String(local.headers['set-cookie'])).toMatch(/^sonoedge=/);
    const again = await fresh.app.inject({ method: 'POST', url: '/api/session/setup', payload: { ...body, user: 'Second' }, remoteAddress: '127.0.0.1' });
    expect(again.statusCode).toBe(409);
    expect(fresh.services.users.list().map((u) => u.name)).toEqual(['Root Admin']);
    await fresh.app.close();
  });
});

describe('the live WebSocket', () => {
  let url: string;
  let cookie: string;
  beforeAll(async () => {
    url = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws') + '/api/live';
    cookie = (await signIn('technician', PINS.technician)).cookie!;
  });

  /** Opens a socket; resolves with the first message, or the HTTP status the upgrade was refused with. */
  const open = (headers: Record<string, string>): Promise<{ message?: string; status?: number; ws: WebSocket }> => new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('message', (data) => resolve({ message: String(data), ws }));
    ws.once('unexpected-response', (req, res) => {
      req.destroy(); // ws leaves a refused upgrade's connection open when this event is handled
      resolve({ status: res.statusCode, ws });
    });
    ws.once('error', reject);
  });

  it('refuses an upgrade without credentials, and one with a session from a foreign Origin', async () => {
    expect((await open({ origin: `http://${new URL(url).host}` })).status).toBe(401);
    expect((await open({})).status).toBe(401);
    expect((await open({ cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await open({ cookie })).status).toBe(403); // a cookie without an Origin
  });

  it('opens for every signed-in role from the daemon\'s own Origin, or with a token', async () => {
    const host = new URL(url).host;
    const viaCookie = await open({ cookie, origin: `http://${host}` });
    expect(viaCookie.message).toBe('hello technician');
    viaCookie.ws.close();
    for (const role of ROLES) {
      const viaToken = await open({ authorization: `Bearer ${tokens[role]}` });
      expect(viaToken.message).toBe(`hello ${role}`);
      viaToken.ws.close();
    }
  });
});
