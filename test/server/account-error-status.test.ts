/**
 * The account and token errors the admin routes answer themselves (sendAccessError, src/server/access/schemas.ts):
 * each with the status of the one table (src/server/error-status.ts) and the refusal body
 * `{ statusCode, code, error, message }`, the values they had when sendAccessError kept a table of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTokenUser } from '../helpers/auth.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, accessTestApp } from '../access/access-app.js';

describe('account and token errors from the admin routes', () => {
  let t: AccessTestApp;
  let admin: { authorization: string };
  beforeAll(async () => {
    t = await accessTestApp(tempDir());
    admin = (await addTokenUser(t.services, 'admin')).headers;
    await t.services.users.add('gone', 'clinician', '24681357');
    t.services.users.disable('gone');
  });
  afterAll(async () => t?.app.close());

  const send = async (method: 'POST' | 'DELETE', url: string, payload?: object): Promise<[number, unknown]> => {
    const r = await t.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
    return [r.statusCode, r.json()];
  };
  const refusal = (statusCode: number, code: string, error: string): [number, unknown] => [statusCode, { statusCode, code, error, message: expect.any(String) }];

  it('answers each with its status and the refusal body', async () => {
    expect(await send('POST', '/api/users', { name: 'Yann', role: 'technician', secret: 'short' })).toEqual(refusal(400, 'SONO_ACCESS_SECRET_INVALID', 'Bad Request'));
    expect(await send('POST', '/api/users', { name: ' bad name', role: 'clinician', secret: '12345678' })).toEqual(refusal(400, 'SONO_ACCESS_USER_INVALID', 'Bad Request'));
    expect(await send('POST', '/api/tokens', { user: 'gone' })).toEqual(refusal(400, 'SONO_ACCESS_USER_INVALID', 'Bad Request'));
    expect(await send('POST', '/api/users', { name: 'admin', role: 'clinician', secret: '12345678' })).toEqual(refusal(409, 'SONO_ACCESS_USER_EXISTS', 'Conflict'));
    expect(await send('POST', '/api/users/nobody/disable')).toEqual(refusal(404, 'SONO_ACCESS_USER_NOT_FOUND', 'Not Found'));
    expect(await send('POST', '/api/tokens', { user: 'nobody' })).toEqual(refusal(404, 'SONO_ACCESS_USER_NOT_FOUND', 'Not Found'));
    expect(await send('DELETE', '/api/tokens/no-such-token')).toEqual(refusal(404, 'SONO_ACCESS_TOKEN_NOT_FOUND', 'Not Found'));
  });
});
