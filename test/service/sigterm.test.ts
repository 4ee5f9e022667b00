/**
 * SIGTERM while the daemon is busy: `sonoedge serve` (its own process, under a real notify socket) is taking
 * exams from several clients and receiving a request whose body trickles in and never ends. It must say
 * STOPPING=1, exit by itself (status 0, not killed) within the unit's TimeoutStopSec, and leave a database
 * that passes integrity_check and holds every exam it acknowledged.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { openRecordsFile } from '../../src/service/records-file.js';
import { packageRoot } from '../../src/util/package-root.js';
import { addTokenUserIn } from '../helpers/auth.js';
import { spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { NotifySocket } from './notify-socket.js';

const STOP_SEC = Number(/^TimeoutStopSec=(\d+)$/m.exec(readFileSync(join(packageRoot(), 'systemd/sonoedge.service'), 'utf8'))![1]);

describe('graceful shutdown on SIGTERM under load', () => {
  const dir = tempDir('sonoedge-sigterm-');
  let sock: NotifySocket;
  afterAll(() => sock?.close());

  it('stops within TimeoutStopSec while requests are being served, losing nothing acknowledged', async () => {
    sock = await NotifySocket.open(dir);
    const cfg = join(dir, 'config.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cfg, 'source: { driver: simulated }\ndrivers: { simulated: { fps: 15, width: 160, height: 120 } }\nmodels: [{ id: fetal-head }]\ninference: { providers: [cpu], warmupRuns: 0 }\nlog: { level: warn }\n');
    const auth = await addTokenUserIn(join(dir, 'data'), 'clinician');
    process.env.NOTIFY_SOCKET = sock.path;
    let d: Awaited<ReturnType<typeof spawnDaemon>>;
    try {
      d = await spawnDaemon([join(packageRoot(), 'src/cli.ts'), 'serve', '--config', cfg, '--data-dir', join(dir, 'data'), '--port', '0'], /sonoedge is running: open (\S+)\//, 90_000);
    } finally {
      delete process.env.NOTIFY_SOCKET;
    }
    await sock.waitFor((m) => m.some((x) => x.fields.READY === '1'), 'READY=1 from the daemon', 60_000);

    // several clients creating exams in a loop
    const acked: string[] = [];
    let running = true;
    const client = async (): Promise<void> => {
      while (running) {
        try {
          const r = await fetch(`${d.url}/api/exams`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth.headers }, body: JSON.stringify({ operator: 'load' }) });
          if (r.status === 201) acked.push(((await r.json()) as { id: string }).id);
        } catch {
          return; // the daemon closed the connection: shutting down
        }
      }
    };
    const clients = [client(), client(), client()];
    // a request whose body never finishes arriving
    const { port, hostname } = new URL(d.url);
    const slow = connect(Number(port), hostname);
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.write(`POST /api/exams HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nAuthorization: ${auth.headers.authorization}\r\nContent-Length: 100000\r\n\r\n{"operator":"`);
    const trickle = setInterval(() => slow.write('a'), 50);
    slow.on('error', () => {});
    while (acked.length < 10) await new Promise((r) => setTimeout(r, 20));

    d.proc.kill('SIGTERM');
    const timer = setTimeout(() => d.proc.kill('SIGKILL'), STOP_SEC * 1000); // what systemd would do
    const exit = await d.exited;
    clearTimeout(timer);
    running = false;
    clearInterval(trickle);
    slow.destroy();
    await Promise.all(clients);

    expect(exit, `did not exit by itself within TimeoutStopSec=${STOP_SEC}`).toEqual({ code: 0, signal: null });
    expect(sock.with('STOPPING', '1')[0]?.fields.STATUS).toBe('Stopping: SIGTERM');
    const key = readFileSync(join(dir, 'data', 'keys', 'records.key'), 'utf8').trim();
    const db = openRecordsFile(join(dir, 'data', 'records.db'), key, ErrorCodes.DATABASE_FAILED);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const ids = new Set((db.prepare('SELECT id FROM exams').all() as Array<{ id: string }>).map((r) => r.id));
      expect(acked.filter((id) => !ids.has(id))).toEqual([]);
    } finally {
      db.close();
    }
  }, 150_000);
});
