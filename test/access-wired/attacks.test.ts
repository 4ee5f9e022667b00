/**
 * Issue 17's first paragraph, attack by attack, against the real daemon (in-process on a real socket, or the
 * real `sonoedge serve` process); each failed on the main before access was wired. No credentials are added
 * behind the test's back here (`anonymous`): every request says what it sends.
 */
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { addTokenUser, addTokenUserIn } from '../helpers/auth.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { startTestDaemon } from '../helpers/daemon.js';
import { spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

/** How a WebSocket upgrade to /api/live ends: opened, or refused with an HTTP status. */
function upgrade(url: string, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/live`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

describe('the attacks of issue 17 against the real daemon', async () => {
  const dir = tempDir('sonoedge-attacks-');
  const d = await startTestDaemon(dir, {}, [[['inference', 'warmupRuns'], 0]], { anonymous: true });
  afterAll(() => d.close());
  const services = d.runtime.access.services;
  const clinician = await addTokenUser(services, 'clinician');
  const technician = await addTokenUser(services, 'technician');

  it('GET /api/exams without credentials is 401, and lists nothing', async () => {
    const r = await fetch(`${d.url}/api/exams`);
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ code: 'SONO_ACCESS_UNAUTHENTICATED' });
    expect((await fetch(`${d.url}/api/exams`, { headers: clinician.headers })).status).toBe(200);
  });

  it('PUT /api/source with raw ffmpeg arguments: 401 anonymous, 403 for a clinician, refused by the allow-list for a technician', async () => {
    const body = JSON.stringify({ driver: 'v4l2', settings: { ffmpegInput: ['-f', 'lavfi', '-i', 'testsrc', '-y', join(dir, 'written.mp4')] } });
    const put = (headers: Record<string, string>): Promise<Response> => fetch(`${d.url}/api/source`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await put({})).status).toBe(401);
    const asClinician = await put(clinician.headers);
    expect(asClinician.status).toBe(403);
    expect(await asClinician.json()).toMatchObject({ code: 'SONO_ACCESS_FORBIDDEN' });
    const asTechnician = await put(technician.headers);
    expect(asTechnician.status).toBe(400);
    expect(await asTechnician.json()).toMatchObject({ code: 'SONO_SOURCE_SETTINGS_REFUSED' });
  });

  it('/api/live: refused without a session, and with a session from a foreign Origin; opened from its own Origin', async () => {
    expect(await upgrade(d.url, {})).toBe(401);
    const signIn = await fetch(`${d.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: d.url }, body: JSON.stringify({ user: 'clinician', secret: '482913' }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect(await upgrade(d.url, { cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(d.url, { cookie })).toBe(403); // a cookie with no Origin at all
    expect(await upgrade(d.url, { cookie, origin: d.url })).toBe('open');
  });

  it('a foreign Host header (DNS rebinding) is refused before anything else', async () => {
    const port = new URL(d.url).port;
    const r = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/health', headers: { host: `evil.example:${port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(r).toBe(421);
  });

  it('a revoked token answers 401 at once', async () => {
    const t = await addTokenUser(services, 'technician', 'scraper');
    expect((await fetch(`${d.url}/metrics`, { headers: t.headers })).status).toBe(200);
    const id = services.tokens.list().find((x) => x.user === 'scraper')!.id;
    services.tokens.revoke(id);
    expect((await fetch(`${d.url}/metrics`, { headers: t.headers })).status).toBe(401);
  });

  it('the first-administrator setup is refused once accounts exist, and from a client that is not the device', async () => {
    const r = await fetch(`${d.url}/api/session/setup`, { method: 'POST', headers: { 'content-type': 'application/json', origin: d.url }, body: JSON.stringify({ user: 'mallory', secret: 'mallory-password-1' }) });
    expect(r.status).toBe(409);
  });
});

describe("a decision's by is ignored: the signed-in user is recorded, and deciding again keeps the earlier decision", async () => {
  const t = await buildTestApp({ anonymous: true });
  const alice = await addTokenUser(t.runtime.access.services, 'clinician', 'alice');
  const bob = await addTokenUser(t.runtime.access.services, 'clinician', 'bob');

  it('records alice then bob, whatever the body says, in the history and the audit trail', async () => {
    const exam = await t.app.inject({ method: 'POST', url: '/api/exams', headers: alice.headers, payload: {} });
    const id = exam.json<{ id: string }>().id;
    publishFrame(t.runtime, grayFrame(7, 64, 48, { x: 2, y: 2, width: 60, height: 44 }));
    const cap = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures`, headers: alice.headers, payload: {} });
    expect(cap.statusCode, cap.body).toBe(201);
    const hc = cap.json<{ measurements: Array<{ id: string; kind: string }> }>().measurements.find((m) => m.kind === 'hc')!;
    const decide = (headers: Record<string, string>, value: number) => t.app.inject({ method: 'POST', url: `/api/measurements/${hc.id}/decision`, headers, payload: { decision: 'corrected', value, by: 'Dr Mallory' } });
    expect((await decide(alice.headers, 180)).json()).toMatchObject({ decidedBy: 'alice', finalValue: 180 });
    expect((await decide(bob.headers, 182)).json()).toMatchObject({ decidedBy: 'bob', finalValue: 182 });
    expect(new ExamStore(t.db).decisionHistory(hc.id).map((h) => [h.by, h.finalValue])).toEqual([['alice', 180], ['bob', 182]]);
    const rows = t.runtime.access.services.audit.list().filter((r) => r.action === 'measurement.corrected');
    expect(rows.map((r) => r.user).sort()).toEqual(['alice', 'bob']);
  });
});

/** The machine's first non-loopback IPv4 address (`hostname -I`'s), if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('the first-administrator setup from the network', () => {
  const address = outsideAddress();
  it.skipIf(!address)('is refused from the machine\'s non-loopback address, allowed from loopback (daemon on 0.0.0.0, allowInsecureHttp)', async () => {
    const d = await startTestDaemon(tempDir('sonoedge-setup-'), {}, [[['server', 'host'], '0.0.0.0'], [['server', 'allowInsecureHttp'], true], [['inference', 'warmupRuns'], 0]], { anonymous: true });
    try {
      const port = new URL(d.url).port;
      const setup = (host: string): Promise<Response> => fetch(`http://${host}:${port}/api/session/setup`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin: `http://${host}:${port}` }, body: JSON.stringify({ user: 'root', secret: 'first-admin-pass-1' }),
      });
      const remote = await setup(address!);
      expect(remote.status).toBe(403);
      expect(await remote.json()).toMatchObject({ code: 'SONO_ACCESS_SETUP_REFUSED' });
      expect(d.runtime.access.services.users.count()).toBe(0);
      expect((await setup('127.0.0.1')).status).toBe(201);
    } finally {
      await d.close();
    }
  });
});

describe('plain HTTP beyond loopback, allowed by server.allowInsecureHttp', () => {
  it('is said by /api/health (and not said on loopback)', async () => {
    const d = await startTestDaemon(tempDir('sonoedge-insecure-health-'), {}, [[['server', 'host'], '0.0.0.0'], [['server', 'allowInsecureHttp'], true], [['inference', 'warmupRuns'], 0]], { anonymous: true });
    try {
      expect(await (await fetch(`http://127.0.0.1:${new URL(d.url).port}/api/health`)).json()).toMatchObject({ insecureHttp: true });
    } finally {
      await d.close();
    }
    const local = await startTestDaemon(tempDir('sonoedge-loopback-health-'), {}, [[['server', 'allowInsecureHttp'], true], [['inference', 'warmupRuns'], 0]], { anonymous: true });
    try {
      expect(await (await fetch(`${local.url}/api/health`)).json()).not.toHaveProperty('insecureHttp');
    } finally {
      await local.close();
    }
  });
});

describe('the real serve process', () => {
  it('refuses to bind a non-loopback address without TLS, saying how to enable it', () => {
    const r = runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', join(tempDir('sonoedge-insecure-'), 'data')], { SONOEDGE_LOG_LEVEL: 'silent' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Refusing to serve plain HTTP on 0\.0\.0\.0.*server\.tls/s);
  });

  it('keeps records.db, its WAL and calibration.json owner-only (an older world-readable calibration is tightened); audit verify catches a rewritten row', async () => {
    const data = join(tempDir('sonoedge-modes-'), 'data');
    mkdirSync(data, { recursive: true, mode: 0o700 });
    writeFileSync(join(data, 'calibration.json'), JSON.stringify({ version: 1, sources: {} }));
    chmodSync(join(data, 'calibration.json'), 0o644);
    const p = await spawnDaemon(['src/cli.ts', 'serve', '--data-dir', data, '--port', '0'], /sonoedge is running: open (\S+)\//, 90_000);
    try {
      const auth = await addTokenUserIn(data, 'clinician');
      expect((await fetch(`${p.url}/api/exams`, { headers: auth.headers })).status).toBe(200);
      const mode = (f: string): string => (statSync(join(data, f)).mode & 0o777).toString(8);
      expect({ db: mode('records.db'), wal: mode('records.db-wal'), calibration: mode('calibration.json') }).toEqual({ db: '600', wal: '600', calibration: '600' });
    } finally {
      await p.stop();
    }
    expect(runCli(['audit', 'verify', '--data-dir', data]).status).toBe(0);
    // someone with the database key drops the triggers and rewrites who listed the exams
    const db = openDatabase(join(data, 'records.db'), loadOrCreateKey(join(data, 'keys', 'records.key'), {}));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET user = 'nobody' WHERE action = 'exam.list'").run();
    db.close();
    const v = runCli(['audit', 'verify', '--data-dir', data]);
    expect(v.status).toBe(1);
    expect(v.stdout + v.stderr).toMatch(/row \d+/i);
  }, 120_000);
});
