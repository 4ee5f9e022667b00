/**
 * A full device (server.maxWebSockets places all taken) and a clinician who reopens the live view while already
 * holding their share (server.live.maxViewersPerUser): the new view replaces their own oldest one, so no place is
 * taken in the end, and they are let in. Another user on the same full device is still refused (503).
 * Before: the guard refused the reopened tab with 503 until pings freed a place (session-14 notes).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CLOSE } from '../../src/protocol/index.js';
import { type TestAuth, addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

let d: TestDaemon;
let clinician: TestAuth;
let other: TestAuth;

beforeAll(async () => {
  d = await startTestDaemon(tempDir(), { models: [] }, [
    [['server', 'maxWebSockets'], 2],
    [['server', 'live', 'maxViewersPerUser'], 1],
  ]);
  clinician = await addTokenUser(d.runtime.access.services, 'clinician');
  other = await addTokenUser(d.runtime.access.services, 'technician');
});
afterAll(async () => {
  await d?.close();
});

interface Opened {
  ws: WebSocket;
  /** the HTTP status of a refused upgrade, or 101 */
  status: Promise<number>;
  closed: Promise<number>;
}

function openLive(auth: TestAuth): Opened {
  const ws = new WebSocket(d.url.replace('http', 'ws') + '/api/live', { headers: auth.headers });
  const status = new Promise<number>((resolve) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', () => resolve(0));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, status, closed };
}

describe('a full device and a user reopening their own live view', () => {
  it('lets the user in in place of their oldest view; another user is still refused', async () => {
    const first = openLive(clinician);
    expect(await first.status).toBe(101);
    const theirs = openLive(other);
    expect(await theirs.status).toBe(101);
    // both places taken: the clinician opens the view again (a reloaded tab, another tablet)
    const again = openLive(clinician);
    expect(await again.status).toBe(101);
    expect(await first.closed).toBe(LIVE_CLOSE.replaced);
    // a third user, holding no view, is still refused on the full device
    const third = await addTokenUser(d.runtime.access.services, 'clinician', 'third');
    const refused = openLive(third);
    expect(await refused.status).toBe(503);
    again.ws.close();
    theirs.ws.close();
    refused.ws.terminate();
  });
});
