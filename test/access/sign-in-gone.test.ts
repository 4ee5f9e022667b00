/**
 * A sign-in whose client has gone away before its hash's turn is not hashed (src/access/hash-queue.ts, the
 * route's whileConnected): scrypt costs ~0.45 s of a core on the 2-core board, for an answer nobody could read.
 * Over real sockets from 12 loopback addresses with real scrypt: every request is queued, then the clients of
 * the ones still waiting close (half with FIN, half with a reset), two stay. Timing-free evidence, from one
 * ordered log of the queue's events and the server's socket closes: no hash starts for a client after the
 * server saw its connection close; those leave the queue as 'dropped' (audited as connection closed); the two
 * that stayed are still answered. Before: every one of them was hashed (started after its close).
 */
import { request } from 'node:http';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HashQueueEvent } from '../../src/access/hash-queue.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, accessTestApp } from './access-app.js';

const apps: AccessTestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.app.close();
});

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A sign-in over a connection the test keeps, answered normally. */
function signIn(port: number, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/session', method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ user: `ghost-${from}`, secret: '000000' }));
  });
}

describe('sign-ins whose client went away while they waited', () => {
  it('are not hashed: they leave the queue when the server sees the connection close', async () => {
    const t = await accessTestApp(join(tempDir('sonoedge-sign-in-gone-'), 'data'));
    apps.push(t);
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(base).port);
    const log: Array<HashQueueEvent | { kind: 'closed'; client: string }> = [];
    t.services.signIn.observeHashes((e) => log.push(e));
    t.app.server.on('connection', (s: Socket) => {
      const client = s.remoteAddress!;
      s.on('close', () => log.push({ kind: 'closed', client }));
    });

    const addresses = Array.from({ length: 12 }, (_, i) => `127.0.10.${i + 1}`);
    const gone = addresses.slice(0, 10);
    const kept = addresses.slice(10);
    const sockets = new Map<string, Socket>();
    const body = JSON.stringify({ user: 'ghost', secret: '000000' });
    for (const from of gone) {
      const s = connect({ port, host: '127.0.0.1', localAddress: from }, () =>
        s.write(`POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
      );
      s.on('error', () => undefined);
      sockets.set(from, s);
    }
    const answers = kept.map((from) => signIn(port, from));
    const of = (kind: string, client: string): number => log.findIndex((e) => e.kind === kind && e.client === client);
    await until(() => addresses.every((a) => of('queued', a) >= 0), 'all 12 sign-ins to be queued');

    // the clients whose hash has not started yet go away, half closing, half resetting
    const waiting = gone.filter((a) => of('started', a) < 0);
    waiting.forEach((a, i) => (i % 2 === 0 ? sockets.get(a)!.destroy() : sockets.get(a)!.resetAndDestroy()));
    expect(await Promise.all(answers)).toEqual([401, 401]); // the two that stayed: hashed and answered
    await until(() => waiting.every((a) => of('closed', a) >= 0) && t.services.signIn.hashLoad().held === 0, 'every closed connection seen and the queue empty');

    const late = waiting.filter((a) => of('started', a) > of('closed', a));
    const load = t.services.signIn.hashLoad();
    const dropped = log.filter((e) => e.kind === 'dropped').map((e) => e.client);
    const audited = t.services.audit.list({ action: 'session.sign-in' }).filter((r) => (r.details as { reason?: string } | null)?.reason === 'connection closed');
    console.log(`${waiting.length} clients gone while waiting: ${dropped.length} dropped unhashed, ${late.length} hashed after their close; ${load.done} hashes in all`);
    expect(late).toEqual([]); // before: all of them
    expect(dropped.sort()).toEqual(waiting.filter((a) => of('started', a) < 0).sort());
    expect(load.dropped).toBe(dropped.length);
    expect(load.done).toBe(addresses.length - dropped.length);
    expect(audited.map((r) => r.client).sort()).toEqual([...dropped].sort());
  });
});
