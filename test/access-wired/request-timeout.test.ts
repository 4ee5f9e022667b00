/**
 * Request timeouts against the real daemon on a real socket: a client that trickles a request's headers in
 * (slowloris) is cut off once `server.requestTimeoutMs` has passed, while another client keeps getting answers
 * from /api/health. Node only looks for overdue requests every `connectionsCheckingInterval` (30 s unless the
 * server sets it; src/server/app.ts sets 1 s), so this test ends in seconds by waiting on the socket's 'close'.
 */
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface SlowClient {
  /** Resolves with everything the server wrote once it closed the socket. */
  closed: Promise<{ received: string; headerLinesSent: number }>;
  isOpen(): boolean;
}

/** Opens a raw TCP connection and sends a GET's headers one line at a time, never the blank line that ends them. */
function slowloris(url: string): Promise<SlowClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolveOpen, rejectOpen) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let headerLinesSent = 0;
    let open = true;
    // the trickle is the attack itself, not a wait: each line resets any idle timer a server might rely on
    const trickle = setInterval(() => {
      if (socket.writable) socket.write(`X-Slow-${headerLinesSent++}: ${'a'.repeat(8)}\r\n`);
    }, 100);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    // the server destroys the socket after its 408: a reset may follow, which is the cut-off too
    socket.on('error', () => {});
    const closed = new Promise<{ received: string; headerLinesSent: number }>((resolve) => {
      socket.once('close', () => {
        open = false;
        clearInterval(trickle);
        resolve({ received, headerLinesSent });
      });
    });
    socket.once('connect', () => {
      socket.write(`GET /api/health HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`);
      headerLinesSent = 2;
      resolveOpen({ closed, isOpen: () => open });
    });
    socket.once('error', rejectOpen);
  });
}

describe('request timeouts on the real daemon', async () => {
  const d = await startTestDaemon(
    tempDir('sonoedge-timeouts-'),
    {},
    [
      [['inference', 'warmupRuns'], 0],
      [['server', 'requestTimeoutMs'], 1000],
    ],
    { anonymous: true },
  );
  afterAll(() => d.close());
  await waitForHealth(d.url, 200);

  it('keeps a sensible default of 30 s for a request to arrive in full', () => {
    expect(loadConfig(undefined, { env: {}, overrides: [] }).config.server.requestTimeoutMs).toBe(30_000);
    expect(d.app.server.requestTimeout).toBe(1000);
  });

  it('cuts off a client that sends its headers slowly, while another client keeps getting answers', async () => {
    const slow = await slowloris(d.url);
    const answeredWhileSlowOpen: number[] = [];
    // the normal client asks again and again until the slow one is cut off (the server decides when), at a
    // monitor's pace: back to back it would pass the per-client rate limit (600 a minute) and rightly get 429
    const normal = (async () => {
      while (slow.isOpen()) {
        const r = await fetch(`${d.url}/api/health`);
        await r.arrayBuffer();
        if (slow.isOpen()) answeredWhileSlowOpen.push(r.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const { received, headerLinesSent } = await slow.closed;
    await normal;
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(received).toContain('"statusCode":408');
    // it was still sending when cut off: the request timer, not an idle timer, ended it
    expect(headerLinesSent).toBeGreaterThan(2);
    expect(answeredWhileSlowOpen.length).toBeGreaterThan(0);
    expect(new Set(answeredWhileSlowOpen)).toEqual(new Set([200]));
    // and the daemon still answers a new client afterwards
    expect((await fetch(`${d.url}/api/health`)).status).toBe(200);
  }, 20_000);
});
