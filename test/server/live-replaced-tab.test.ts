/**
 * The page's live socket (web-ui/src/live/socket.ts) against a real daemon whose per-user cap is 1: a tab whose
 * view was taken by the same user's newer tab is told why ('replaced', close code 4409) and does not reconnect;
 * reconnecting would take the place back and the two tabs would replace each other for ever.
 * The browser's WebSocket is the ws client here (same onopen/onmessage/onclose API), carrying the test token.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveClosedWhy, LiveSocket } from '../../web-ui/src/live/socket.js';
import { liveHeaders } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

let d: TestDaemon;
const globals = globalThis as unknown as Record<string, unknown>;
const saved = { WebSocket: globals.WebSocket, location: globals.location };

beforeAll(async () => {
  d = await startTestDaemon(tempDir(), { models: [] }, [[['server', 'live', 'maxViewersPerUser'], 1]]);
  const url = new URL(d.url);
  globals.location = { protocol: url.protocol, host: url.host };
  globals.WebSocket = class extends WebSocket {
    constructor(address: string) {
      super(address, { headers: liveHeaders(address) });
    }
  };
});
afterAll(async () => {
  Object.assign(globals, saved);
  await d?.close();
});

interface Tab {
  socket: LiveSocket;
  opens: number;
  closes: Array<LiveClosedWhy | undefined>;
  statuses: number;
}

function tab(): Tab {
  const t: Tab = { socket: undefined as unknown as LiveSocket, opens: 0, closes: [], statuses: 0 };
  t.socket = new LiveSocket({
    open: () => t.opens++,
    closed: (why) => t.closes.push(why),
    frame: () => undefined,
    message: (m) => void (m.type === 'status' && t.statuses++),
  });
  return t;
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a live tab replaced by the same user on another tab', () => {
  it("is told 'replaced' and stays closed; the newer tab keeps the view", async () => {
    const first = tab();
    first.socket.connect();
    await until('the first tab open', () => first.opens === 1);
    const second = tab();
    second.socket.connect();
    await until('the first tab closed', () => first.closes.length === 1);
    expect(first.closes).toEqual(['replaced']);
    // the first tab would reconnect after 0.5 s: 3 status messages (1 s apart) on the second tab span well past it
    const seen = second.statuses;
    await until('3 status messages on the second tab', () => second.statuses >= seen + 3);
    expect(first.opens).toBe(1);
    expect(second.closes).toEqual([]);
    expect(second.opens).toBe(1);
    second.socket.stop();
    first.socket.stop();
  });
});
