/**
 * An open live view ends as soon as this daemon ends its credentials (review finding: after an admin's reset of
 * a PIN the live WebSocket stayed up; its 30 s check now sees the revocation, and the admin routes and sign-out
 * tell open views to check at once).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon(tempDir());
  await d.runtime.access.services.users.add('clinician', 'clinician', SECRETS.clinician);
});
afterAll(async () => d?.close());

/** Signs the clinician in and opens the live view with the cookie; resolves once the hello came. */
async function liveView(): Promise<{ closed: Promise<number> }> {
  const r = await fetch(`${d.url}/api/session`, { method: 'POST', headers: { origin: d.url, 'content-type': 'application/json' }, body: JSON.stringify({ user: 'clinician', secret: SECRETS.clinician }) });
  expect(r.status).toBe(200);
  const cookie = /^([^;]+)/.exec(r.headers.get('set-cookie') ?? '')![1]!;
  const ws = new WebSocket(d.url.replace('http', 'ws') + '/api/live', { headers: { cookie, origin: d.url } });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return { closed };
}

describe('an open live view', () => {
  it("closes (4401) at once when an admin sets the account's new PIN, not at the 30 s check", async () => {
    const view = await liveView();
    const started = Date.now();
    const r = await fetch(`${d.url}/api/users/clinician/secret`, { method: 'PUT', headers: { ...d.auth!.headers, 'content-type': 'application/json' }, body: JSON.stringify({ secret: '777111' }) });
    expect(r.status).toBe(200);
    // the socket's own check runs every 30 s: a close well before then came from the route
    const code = await Promise.race([view.closed, new Promise<string>((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000))]);
    expect(code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
