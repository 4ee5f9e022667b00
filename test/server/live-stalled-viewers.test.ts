/**
 * Stalled live viewers do not lock everyone out (review s14: 16 viewers that stopped reading held every WebSocket
 * place, a 17th got 503 ACCESS_TOO_MANY_WEBSOCKETS for 120 s and the server never closed them). Real daemon,
 * real sockets; a stalled viewer is a ws client whose TCP socket is paused after the hello (a backgrounded
 * tablet: it neither reads frames nor answers pings). server.maxWebSockets is made small so the places run out.
 */
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { LIVE_CLOSE } from '../../src/protocol/index.js';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface View {
  ws: WebSocket;
  pings: number;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens /api/live with `token`; resolves once the hello came (then pauses the socket when `stall`), rejects on a refusal. */
function openView(d: TestDaemon, token: string, stall = false): Promise<View> {
  const ws = new WebSocket(d.url.replace('http', 'ws') + '/api/live', { headers: { authorization: `Bearer ${token}` } });
  const view: View = { ws, pings: 0, closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))) };
  ws.on('ping', () => view.pings++);
  return new Promise((resolve, reject) => {
    ws.once('message', () => {
      if (stall) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      resolve(view);
    });
    ws.once('error', reject);
  });
}

/** The refusal's message, or 'open' (then closed again). */
async function tryView(d: TestDaemon, token: string): Promise<string> {
  try {
    const v = await openView(d, token);
    v.ws.close();
    await v.closed;
    return 'open';
  } catch (err) {
    return (err as Error).message;
  }
}

/** Tries a new viewer until one gets in (the stalled ones were dropped) or `timeoutMs` passes. */
async function waitForPlace(d: TestDaemon, token: string, timeoutMs: number): Promise<{ ms: number; last: string }> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    last = await tryView(d, token);
    if (last === 'open') return { ms: Date.now() - t0, last };
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ms: Date.now() - t0, last };
}

/** A stalled viewer, once read again, sees how the daemon ended it. */
async function endOf(v: View): Promise<{ code: number; reason: string }> {
  (v.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  return v.closed;
}

async function daemon(live: Record<string, number>, maxWebSockets: number): Promise<{ d: TestDaemon; tok: Record<'admin' | 'clinician' | 'technician', string> }> {
  const extra: Array<[string[], unknown]> = [[['server', 'maxWebSockets'], maxWebSockets], ...Object.entries(live).map(([k, v]): [string[], unknown] => [['server', 'live', k], v])];
  const d = await startTestDaemon(tempDir(), { models: [] }, extra);
  afterAll(async () => d.close());
  const services = d.runtime.access.services;
  return { d, tok: { admin: d.auth!.token, clinician: (await addTokenUser(services, 'clinician')).token, technician: (await addTokenUser(services, 'technician')).token } };
}

describe('a live viewer that stops answering pings', async () => {
  const { d, tok } = await daemon({ pingIntervalMs: 1000, slowViewerMs: 600_000 }, 3);

  it('is dropped within two ping intervals, freeing its place; one that answers stays', async () => {
    const healthy = await openView(d, tok.admin);
    const stalled = [await openView(d, tok.clinician, true), await openView(d, tok.clinician, true)];
    expect(await tryView(d, tok.technician)).toMatch(/503/); // every place taken
    const place = await waitForPlace(d, tok.technician, 10_000);
    expect(place.last).toBe('open');
    expect(place.ms).toBeLessThan(4000);
    for (const s of stalled) expect((await endOf(s)).code).toBe(1006); // cut, no close frame
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    expect(healthy.pings).toBeGreaterThanOrEqual(2);
    healthy.ws.close();
  });
});

describe('a live viewer whose backlog stays above two frames', async () => {
  // pings far apart: only the backlog rule can free the place within the test
  const { d, tok } = await daemon({ pingIntervalMs: 600_000, slowViewerMs: 300 }, 2);

  it('is dropped once behind longer than slowViewerMs; one that keeps up stays', async () => {
    const healthy = await openView(d, tok.admin);
    const stalled = await openView(d, tok.clinician, true);
    expect(await tryView(d, tok.technician)).toMatch(/503/);
    // the kernel's socket buffers fill first (640x480 frames at 30 fps), then the daemon's backlog grows
    const place = await waitForPlace(d, tok.technician, 20_000);
    expect(place.last).toBe('open');
    expect((await endOf(stalled)).code).toBe(1006);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    healthy.ws.close();
  });
});

describe('live viewers of one user', async () => {
  const { d, tok } = await daemon({ maxViewersPerUser: 2 }, 16);

  it("past the user's cap, the user's oldest closes (4409) and the new one gets in; other users' views stay", async () => {
    const x = await openView(d, tok.admin);
    const a = await openView(d, tok.clinician, true); // a backgrounded tab
    const b = await openView(d, tok.clinician);
    const c = await openView(d, tok.clinician); // the clinician reopens the tab: past their cap of 2
    expect(await endOf(a)).toEqual({ code: LIVE_CLOSE.replaced, reason: 'Opened on another tab or device' });
    const d2 = await openView(d, tok.clinician); // and again: now b is their oldest
    expect(await b.closed).toEqual({ code: LIVE_CLOSE.replaced, reason: 'Opened on another tab or device' });
    expect([x, c, d2].map((v) => v.ws.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN, WebSocket.OPEN]);
    for (const v of [x, c, d2]) v.ws.close();
  });
});
