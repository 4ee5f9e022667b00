/**
 * GET /api/audit/verify on a long trail keeps the event loop turning (live frames, the watchdog and other
 * requests go on while an admin checks the chain), and answers what the synchronous check answers.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { appendChainedRows } from '../audit/trail-rows.js';
import { type AccessTestApp, accessTestApp, addRoleUsers } from './access-app.js';

const ROWS = 50_000;
let t: AccessTestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await accessTestApp(join(tempDir('sonoedge-audit-route-'), 'data'));
  await addRoleUsers(t.services);
  admin = { authorization: `Bearer ${t.services.tokens.create('admin').token}` };
  const last = (t.db.prepare('SELECT MAX(id) AS id FROM audit').get() as { id: number | null }).id ?? 0;
  appendChainedRows(t.db, t.deviceSecret, last + 1, last + ROWS);
});
afterAll(async () => t.app.close());

describe('GET /api/audit/verify', () => {
  it('lets a 10 ms timer keep firing while a 50,000-row chain is checked', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const r = await t.app.inject({ url: '/api/audit/verify', headers: admin });
    clearInterval(timer);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual(t.services.audit.verify());
    expect(r.json()).toMatchObject({ ok: true });
    // checked in one synchronous walk the timer cannot fire at all until the answer is built
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});
