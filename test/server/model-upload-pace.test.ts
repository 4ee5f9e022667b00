/**
 * A model package upload over a slow link, on the real daemon and a real socket. Node times each request twice:
 * its headers by `server.requestTimeoutMs` (30 s), the whole request by the larger of that and the server's
 * headersTimeout (60 s: Node's default, which Fastify leaves; Node swaps the two when headersTimeout is the larger).
 * That cut a 13 MB package on clinic Wi-Fi under ~0.22 MB/s; the upload route is paced instead
 * (modelUpdates.upload): it may last as long as bytes keep coming at the minimum rate. Scaled down here: headers
 * 1 s, a whole request 3 s, the pace window 1 s, and a real signed package (~2.7 MB) trickled at 0.4 MB/s, so its
 * body alone takes more than twice the whole-request limit. A stalled upload and one dripping under the minimum
 * rate are cut with SONO_MODEL_UPLOAD_TOO_SLOW while the daemon keeps answering other clients; a stalled body
 * on another route is still cut by Node's limit.
 */
import { cpSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestAuth, addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { SHIPPED, type Signer, makeSigner, signedPackage } from '../models/updates/fixtures.js';

const REQUEST_TIMEOUT_MS = 1000;
/** The whole-request limit (60 s on a device), shortened through the server's headersTimeout. */
const WHOLE_REQUEST_MS = 3000;
const PACE = { minBytesPerSecond: 64 * 1024, windowMs: 1000, maxMs: 60_000 };

interface Sent {
  status: number;
  body: Record<string, unknown>;
  /** Body bytes written before the server answered or closed. */
  sent: number;
  /** From the end of the headers to the socket's close. */
  ms: number;
  /** From the end of the headers to the last body byte written (undefined: not all of it was). */
  bodyMs: number | undefined;
}

/**
 * POSTs `pkg` (to /api/models unless `to` says otherwise) on a raw socket, writing no more body bytes than `allowed(elapsedMs)` says by then
 * (the pacing is the client's link, not a wait), until the server answers; resolves once the socket closes.
 */
function upload(url: string, auth: TestAuth, pkg: Buffer, allowed: (elapsedMs: number) => number, to = { path: '/api/models', type: 'application/octet-stream' }): Promise<Sent> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let sent = 0;
    let t0 = 0;
    let bodyMs: number | undefined;
    let tick: NodeJS.Timeout | undefined;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearInterval(tick); // answered: the link stops here
    });
    socket.on('error', () => {}); // a reset after the answer is the cut-off too
    socket.once('close', () => {
      clearInterval(tick);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        parsed = { unparsed: body };
      }
      resolve({ status, body: parsed, sent, ms: Date.now() - t0, bodyMs });
    });
    socket.once('connect', () => {
      socket.write(
        `POST ${to.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: ${auth.headers.authorization}\r\n` +
          `Content-Type: ${to.type}\r\nContent-Length: ${pkg.length}\r\nConnection: close\r\n\r\n`,
      );
      t0 = Date.now();
      const step = (): void => {
        const upTo = Math.min(pkg.length, allowed(Date.now() - t0));
        if (upTo > sent && socket.writable) {
          socket.write(pkg.subarray(sent, upTo));
          sent = upTo;
          if (sent === pkg.length) bodyMs = Date.now() - t0;
        }
      };
      step();
      tick = setInterval(step, 20);
    });
    socket.once('error', reject);
  });
}

describe('model package upload over a slow link (real daemon, real socket)', () => {
  const root = tempDir('sonoedge-upload-pace-');
  let signer: Signer;
  let d: TestDaemon;
  let technician: TestAuth;

  beforeAll(async () => {
    cpSync(join(SHIPPED, 'fetal-head'), join(root, 'bundled', 'fetal-head'), { recursive: true });
    signer = makeSigner(join(root, 'keys'));
    d = await startTestDaemon(root, { modelsDir: join(root, 'bundled'), models: [{ id: 'fetal-head', everyN: 1 }] }, [
      [['inference', 'providers'], ['cpu']],
      [['inference', 'warmupRuns'], 0],
      [['server', 'requestTimeoutMs'], REQUEST_TIMEOUT_MS],
      [['modelUpdates', 'trustedKeys'], [signer.pubPath]],
      [['modelUpdates', 'upload'], PACE],
      [['modelUpdates', 'healthWindow', 'maxLatencyMs'], 600_000],
    ]);
    d.app.server.headersTimeout = WHOLE_REQUEST_MS;
    technician = await addTokenUser(d.runtime.access.services, 'technician', 'tech-anna');
    await waitForHealth(d.url, 200, 60_000);
  }, 120_000);
  afterAll(async () => d?.close());

  /** Asks /api/health at a monitor's pace while `until` runs; every status it got meanwhile. */
  async function healthWhile<T>(until: Promise<T>): Promise<[T, number[]]> {
    let running = true;
    const statuses: number[] = [];
    const poll = (async () => {
      while (running) {
        const r = await fetch(`${d.url}/api/health`);
        await r.arrayBuffer();
        if (running) statuses.push(r.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const result = await until.finally(() => (running = false));
    await poll;
    return [result, statuses];
  }

  it('a real package trickled at 0.4 MB/s for over twice the whole-request limit installs and activates', async () => {
    const pkg = await signedPackage(root, signer, '1.1.0');
    const rate = 400_000; // bytes per second, under the 0.45 MB/s at which a 13 MB package outlives 30 s
    const r = await upload(d.url, technician, pkg, (ms) => Math.floor((rate * ms) / 1000));
    console.info(`paced upload: ${pkg.length} bytes at ${rate} B/s, body sent in ${r.bodyMs} ms, answered ${r.status} ${r.ms} ms after the headers (whole-request limit ${WHOLE_REQUEST_MS} ms)`);
    expect([r.status, r.body.code]).toEqual([200, undefined]);
    expect(r.body).toMatchObject({ ok: true, id: 'fetal-head', version: '1.1.0', activated: true });
    expect(r.sent).toBe(pkg.length);
    // the body alone took this long: without the pace guard Node's request timeout would have cut it
    expect(r.bodyMs).toBeGreaterThanOrEqual(Math.floor((pkg.length / rate) * 1000));
    expect(r.bodyMs).toBeGreaterThan(2 * WHOLE_REQUEST_MS);
    expect(d.runtime.sessions.map((s) => s.version)).toEqual(['1.1.0']);
  }, 60_000);

  it('a stalled upload is cut with SONO_MODEL_UPLOAD_TOO_SLOW while the daemon keeps answering, and nothing changes', async () => {
    const pkg = await signedPackage(root, signer, '1.2.0');
    const half = Math.floor(pkg.length / 2);
    const [r, statuses] = await healthWhile(upload(d.url, technician, pkg, () => half));
    console.info(`stalled upload: ${half} of ${pkg.length} bytes sent at once, then none; cut with ${r.status} after ${r.ms} ms (window ${PACE.windowMs} ms)`);
    expect([r.status, r.body.code, r.body.statusCode]).toEqual([408, 'SONO_MODEL_UPLOAD_TOO_SLOW', 408]);
    expect(String(r.body.message)).toMatch(/under the 64\.0 KiB\/s it must keep .*upload the package again/);
    expect(r.sent).toBe(half);
    expect(r.ms).toBeGreaterThanOrEqual(PACE.windowMs);
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect((await fetch(`${d.url}/api/health`)).status).toBe(200);
    expect(d.runtime.sessions.map((s) => s.version)).toEqual(['1.1.0']);
    const models = (await (await fetch(`${d.url}/api/models`)).json()) as { models: Array<{ installed: Array<{ version: string }> }> };
    expect(models.models[0]!.installed.map((v) => v.version)).toEqual(['1.1.0']);
  }, 60_000);

  it('an upload still sending, but under the minimum rate (slowloris on the body), is cut the same way', async () => {
    const pkg = await signedPackage(root, signer, '1.2.0');
    const first = 256 * 1024; // a fast start, then 200 bytes a second: progress, but far under 64 KiB/s
    const r = await upload(d.url, technician, pkg, (ms) => first + Math.floor(ms / 5));
    console.info(`dripping upload: ${r.sent} of ${pkg.length} bytes sent; cut with ${r.status} after ${r.ms} ms`);
    expect([r.status, r.body.code]).toEqual([408, 'SONO_MODEL_UPLOAD_TOO_SLOW']);
    expect(r.sent).toBeGreaterThan(first); // still sending when cut: the rate, not an idle timer, ended it
    expect(d.runtime.sessions.map((s) => s.version)).toEqual(['1.1.0']);
  }, 60_000);

  it("a stalled body on another route is still cut by Node's whole-request limit (408, connection closed)", async () => {
    const body = Buffer.from(JSON.stringify({ patient: { name: 'x'.repeat(100) } }));
    const r = await upload(d.url, d.auth!, body, () => 10, { path: '/api/exams', type: 'application/json' });
    console.info(`stalled JSON body: 10 of ${body.length} bytes; cut with ${r.status} after ${r.ms} ms`);
    expect([r.status, r.body.statusCode, r.body.message]).toEqual([408, 408, 'Client Timeout']);
    expect(r.ms).toBeGreaterThanOrEqual(WHOLE_REQUEST_MS - 100);
  }, 60_000);
});
