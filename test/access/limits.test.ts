/** Per-client limits: sign-in attempts, the lockout seen over HTTP, and the cap on open WebSockets. */
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { failSignInsBefore } from '../helpers/auth.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, accessTestApp } from './access-app.js';

const apps: AccessTestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.app.close();
});

async function app(o: Parameters<typeof accessTestApp>[1]): Promise<AccessTestApp> {
  const a = await accessTestApp(join(tempDir('sonoedge-limits-'), 'data'), o);
  apps.push(a);
  return a;
}

describe('limits', () => {
  it('answers 401 with Retry-After once an account is locked, and audits the lockout', async () => {
    const t = await app({});
    await t.services.users.add('Hugo', 'clinician', '583920');
    const attempt = (secret: string): Promise<Awaited<ReturnType<typeof t.app.inject>>> => t.app.inject({ method: 'POST', url: '/api/session', payload: { user: 'Hugo', secret } });
    for (let i = 0; i < 5; i++) expect((await attempt('000000')).json().code).toBe('SONO_ACCESS_SIGN_IN_FAILED');
    const locked = await attempt('000000');
    expect([locked.statusCode, locked.json().code, locked.headers['retry-after']]).toEqual([401, 'SONO_ACCESS_LOCKED', '1']);
    expect(t.services.audit.list({ action: 'session.lockout' })).toHaveLength(1);
  });

  it('keeps a locked account locked for every quick retry over HTTP, the right PIN too; retries neither count nor lengthen the wait', async () => {
    const t = await app({});
    await t.services.users.add('Lockme', 'clinician', '123456');
    // fifteen mistakes over the last 17 minutes, each once the wait before it had ended: the next one locks for 15 min
    await failSignInsBefore(t.services.signIn, 'Lockme', '654321', 15);
    const attempt = (secret: string, headers: Record<string, string> = {}): Promise<Awaited<ReturnType<typeof t.app.inject>>> =>
      t.app.inject({ method: 'POST', url: '/api/session', payload: { user: 'Lockme', secret }, headers });
    // an empty Authorization header is no credential: the sign-in route still answers (and counts) the attempt
    const sixteenth = await attempt('654321', { authorization: '' });
    expect([sixteenth.statusCode, sixteenth.json().code, sixteenth.headers['retry-after']]).toEqual([401, 'SONO_ACCESS_LOCKED', '900']);
    expect(sixteenth.json().message).toMatch(/^Too many failed sign-ins for "Lockme"; try again in 900 s/);
    const retries = [];
    for (const secret of ['654321', '000000', '111111', '123456']) retries.push(await attempt(secret));
    for (const r of retries) {
      expect([r.statusCode, r.json().code]).toEqual([401, 'SONO_ACCESS_LOCKED']);
      expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(900);
    }
    expect(t.services.users.find('Lockme')).toMatchObject({ failuresInRow: 16 });
    const denied = t.services.audit.list({ action: 'session.sign-in', outcome: 'denied' });
    expect(denied.map((r) => [r.target, r.client, r.details?.reason])).toEqual(Array.from({ length: 4 }, () => ['Lockme', '127.0.0.1', 'locked']));
    expect(t.services.audit.list({ action: 'session.lockout' })[0]).toMatchObject({ target: 'Lockme', details: { failuresInRow: 16, lockedForMs: 900_000 } });
    // an admin's new PIN lifts the lockout at once
    await t.services.users.setSecret('Lockme', '246810');
    expect((await attempt('246810')).statusCode).toBe(200);
  });

  it('limits sign-in attempts per client address with a coded 429', async () => {
    const t = await app({ signInMax: 3 });
    const answers: Array<[number, string]> = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/session', payload: { user: 'nobody', secret: 'x' } });
      answers.push([r.statusCode, r.json().code]);
    }
    expect(answers).toEqual([...Array.from({ length: 3 }, () => [401, 'SONO_ACCESS_SIGN_IN_FAILED']), [429, 'SONO_ACCESS_RATE_LIMITED']]);
    // another client is not held back by the first one's attempts
    expect((await t.app.inject({ method: 'POST', url: '/api/session', payload: { user: 'nobody', secret: 'x' }, remoteAddress: '127.0.0.2' })).statusCode).toBe(401);
  });

  it('caps open WebSocket connections, and frees a place when one closes', async () => {
    const t = await app({ maxWebSockets: 1 });
    await t.services.users.add('Ines', 'technician', 'ines-password-1');
    const { token } = t.services.tokens.create('Ines');
    const url = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws') + '/api/live';
    const open = (): Promise<{ ws: WebSocket; status?: number }> => new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
      ws.once('message', () => resolve({ ws }));
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        resolve({ ws, status: res.statusCode });
      });
      ws.once('error', reject);
    });
    const first = await open();
    expect(first.status).toBeUndefined();
    expect((await open()).status).toBe(503);
    const closed = new Promise((resolve) => first.ws.once('close', resolve));
    first.ws.close();
    await closed;
    // the server counts the place free when its side of the socket closes: retry until it has
    let again = await open();
    while (again.status === 503) again = await open();
    expect(again.status).toBeUndefined();
    again.ws.close();
  });
});
