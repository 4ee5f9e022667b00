/**
 * A new PIN or password ends the account's sessions (review finding: the old cookie kept reading and writing
 * after an admin's reset, and an open live view stayed up). An admin changing their own keeps the session they
 * did it from, and only that one.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalIsLive } from '../../src/access/access.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, PINS, accessTestApp, addRoleUsers } from './access-app.js';

const ORIGIN = 'http://localhost:80';
let t: AccessTestApp;
let adminToken: string;

async function signIn(user: string, secret: string): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/api/session', payload: { user, secret }, headers: { origin: ORIGIN } });
  expect(r.statusCode).toBe(200);
  return /^(sonoedge=[^;]+)/.exec(String(r.headers['set-cookie']))![1]!;
}
const examsWith = async (cookie: string): Promise<number> => (await t.app.inject({ method: 'GET', url: '/api/exams', headers: { cookie } })).statusCode;
const createExamWith = async (cookie: string): Promise<number> =>
  (await t.app.inject({ method: 'POST', url: '/api/exams', payload: {}, headers: { cookie, origin: ORIGIN } })).statusCode;

beforeAll(async () => {
  t = await accessTestApp(join(tempDir('sonoedge-secret-reset-'), 'data'));
  await addRoleUsers(t.services);
  adminToken = t.services.tokens.create('admin').token;
});
afterAll(async () => t.app.close());

describe('setting a new PIN or password', () => {
  it("ends every session of the account (reads, writes and the live view's check)", async () => {
    const cookie = await signIn('clinician', PINS.clinician);
    const other = await signIn('clinician', PINS.clinician);
    const principal = t.services.sessions.resolve(cookie.slice('sonoedge='.length));
    expect(typeof principal).toBe('object');
    expect([await examsWith(cookie), await examsWith(other)]).toEqual([200, 200]);
    const r = await t.app.inject({ method: 'PUT', url: '/api/users/clinician/secret', payload: { secret: '777111' }, headers: { authorization: `Bearer ${adminToken}` } });
    expect(r.statusCode).toBe(200);
    expect([await examsWith(cookie), await examsWith(other), await createExamWith(cookie)]).toEqual([401, 401, 401]);
    // what an open live WebSocket asks at its credential check
    expect(principalIsLive(t.services, principal as Exclude<typeof principal, string | undefined>)).toBe(false);
    // the new PIN signs in; another account's sessions are untouched
    expect(await examsWith(await signIn('clinician', '777111'))).toBe(200);
  });

  it('keeps the session an admin changes their own password from, and ends their others', async () => {
    const here = await signIn('admin', PINS.admin);
    const elsewhere = await signIn('admin', PINS.admin);
    const clinician = await signIn('clinician', '777111');
    const r = await t.app.inject({ method: 'PUT', url: '/api/users/admin/secret', payload: { secret: 'admin-password-2' }, headers: { cookie: here, origin: ORIGIN } });
    expect(r.statusCode).toBe(200);
    const me = async (cookie: string): Promise<number> => (await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).statusCode;
    expect([await me(here), await me(elsewhere), await examsWith(clinician)]).toEqual([200, 401, 200]);
  });

  it("an admin resetting another account's secret keeps nothing of that account", async () => {
    const adminCookie = await signIn('admin', 'admin-password-2');
    const tech = await signIn('technician', PINS.technician);
    const r = await t.app.inject({ method: 'PUT', url: '/api/users/technician/secret', payload: { secret: 'technician-pass-2' }, headers: { cookie: adminCookie, origin: ORIGIN } });
    expect(r.statusCode).toBe(200);
    const me = async (cookie: string): Promise<number> => (await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).statusCode;
    expect([await me(tech), await me(adminCookie)]).toEqual([401, 200]);
  });
});
