/**
 * The cap on open WebSockets counts real upgrades only (review finding: every keep-alive request that merely
 * carried "Upgrade: websocket" took a place until its connection closed, so one signed-in client filled the cap
 * and a clinician's live view was refused 503).
 */
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, accessTestApp, addRoleUsers } from './access-app.js';

let t: AccessTestApp;
let base: URL;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await accessTestApp(join(tempDir('sonoedge-ws-cap-'), 'data'), { maxWebSockets: 2 });
  await addRoleUsers(t.services);
  for (const role of ['clinician', 'technician']) tokens[role] = t.services.tokens.create(role).token;
  base = new URL(await t.app.listen({ port: 0, host: '127.0.0.1' }));
});
afterAll(async () => t.app.close());

/** Opens /api/live: the hello message, or the status it was refused with. */
const openLive = (token: string): Promise<{ ws: WebSocket; status?: number }> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base.host}/api/live`, { headers: { authorization: `Bearer ${token}` } });
    ws.once('message', () => resolve({ ws }));
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve({ ws, status: res.statusCode });
    });
    ws.once('error', reject);
  });

describe('the open-WebSocket cap', () => {
  it('is not filled by keep-alive requests that carry "Upgrade: websocket" on one connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (): Promise<{ status: number; socket: unknown }> =>
      new Promise((resolve, reject) => {
        const r = request({ host: base.hostname, port: base.port, path: '/api/session', agent, headers: { authorization: `Bearer ${tokens.technician}`, upgrade: 'websocket' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: res.socket }));
        });
        r.on('error', reject);
        r.end();
      });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await get());
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.socket)).size).toBe(1); // one connection, kept alive throughout
    // the connection is still open: two live views (the cap) open, a third is refused
    const views = [await openLive(tokens.clinician!), await openLive(tokens.clinician!)];
    expect(views.map((v) => v.status)).toEqual([undefined, undefined]);
    const third = await openLive(tokens.clinician!);
    expect(third.status).toBe(503);
    for (const v of views) v.ws.close();
    agent.destroy();
  });
});
