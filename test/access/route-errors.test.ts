/**
 * The account routes answer faults like every other API route: a SONO_* code, a message saying what to do and
 * the status of the code (review finding: they gave fastify's FST_ERR_CTP_INVALID_JSON_BODY, FST_ERR_VALIDATION,
 * FST_ERR_CTP_BODY_TOO_LARGE and would give a bare 500 for a storage failure at sign-in). And the statuses the
 * access hooks send agree with src/server/error-status.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import { httpStatusOf } from '../../src/server/error-status.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, accessTestApp, addRoleUsers } from './access-app.js';

let t: AccessTestApp;
let admin: string;

beforeAll(async () => {
  t = await accessTestApp(join(tempDir('sonoedge-route-errors-'), 'data'));
  await addRoleUsers(t.services);
  admin = t.services.tokens.create('admin').token;
});
afterAll(async () => t.app.close());

const answer = (r: { statusCode: number; json: () => { code?: string; statusCode?: number; message?: string } }): [number, string | undefined, number | undefined] => {
  const b = r.json();
  return [r.statusCode, b.code, b.statusCode];
};

describe('faults on the account routes', () => {
  it('bad JSON, a wrong field, too large a body, a text body, a bad query: coded', async () => {
    const json = { 'content-type': 'application/json' };
    const got = [
      await t.app.inject({ method: 'POST', url: '/api/session', headers: json, payload: '{bad' }),
      await t.app.inject({ method: 'POST', url: '/api/session', headers: json, payload: { user: [], secret: 'x' } }),
      await t.app.inject({ method: 'POST', url: '/api/session', headers: json, payload: JSON.stringify({ user: 'a'.repeat(2_000_000) }) }),
      await t.app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }, payload: 'x' }),
      await t.app.inject({ method: 'GET', url: '/api/audit?limit=0', headers: { authorization: `Bearer ${admin}` } }),
    ].map(answer);
    expect(got).toEqual([
      [400, 'SONO_REQUEST_INVALID', 400],
      [400, 'SONO_REQUEST_INVALID', 400],
      [413, 'SONO_REQUEST_TOO_LARGE', 413],
      [400, 'SONO_REQUEST_INVALID', 400], // fastify reads text/plain as a string: not the object the schema wants
      [400, 'SONO_REQUEST_INVALID', 400],
    ]);
  });

  it('a full disk at sign-in answers 507 SONO_DISK_LOW, not a bare 500', async () => {
    const attempt = t.services.signIn.attempt.bind(t.services.signIn);
    t.services.signIn.attempt = async () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    try {
      const r = await t.app.inject({ method: 'POST', url: '/api/session', payload: { user: 'clinician', secret: '482913' } });
      expect(answer(r)).toEqual([507, 'SONO_DISK_LOW', 507]);
      expect(r.json().message).toContain('Free space');
    } finally {
      t.services.signIn.attempt = attempt;
    }
  });

  it('keeps the access refusals as they were', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/users' });
    expect(answer(r)).toEqual([401, 'SONO_ACCESS_UNAUTHENTICATED', 401]);
  });
});

describe('statuses the access hooks send', () => {
  it('agree with error-status.ts', async () => {
    const sent: Array<[ErrorCode, number]> = [];
    const host = await t.app.inject({ method: 'GET', url: '/api/health', headers: { host: 'evil.example' } });
    sent.push([host.json().code, host.statusCode]);
    await t.services.users.add('Lockme', 'clinician', '583920');
    let r;
    do r = await t.app.inject({ method: 'POST', url: '/api/session', payload: { user: 'Lockme', secret: '000000' } });
    while (r.json().code === 'SONO_ACCESS_SIGN_IN_FAILED');
    sent.push([r.json().code, r.statusCode]);
    expect(sent.map(([code]) => code)).toEqual(['SONO_ACCESS_HOST_REFUSED', 'SONO_ACCESS_LOCKED']);
    expect(sent.map(([, status]) => status)).toEqual(sent.map(([code]) => httpStatusOf(code)));
    // the WebSocket cap's 503 (test/access/limits.test.ts)
    expect(httpStatusOf('SONO_ACCESS_TOO_MANY_WEBSOCKETS')).toBe(503);
  });
});
