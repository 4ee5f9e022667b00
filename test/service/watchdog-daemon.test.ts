/**
 * The watchdog in the real daemon, through a real notify socket: READY=1 only after the first inference, pings
 * while frames and results flow, none while the source is wedged (it still says "running") or while the event
 * loop is blocked, and pings again once it recovers.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { type DaemonProcess, spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { type NotifyMessage, NotifySocket } from './notify-socket.js';

const pings = (m: NotifyMessage[], from = 0): number => m.slice(from).filter((x) => x.fields.WATCHDOG === '1').length;

describe('systemd watchdog in the real daemon', () => {
  const dir = tempDir('sonoedge-wd-');
  let sock: NotifySocket;
  let d: DaemonProcess | undefined;
  afterAll(async () => {
    await d?.stop();
    sock?.close();
  });

  it('READY after the first result; pings stop while the source is wedged or the event loop blocked, and resume', async () => {
    sock = await NotifySocket.open(dir);
    process.env.NOTIFY_SOCKET = sock.path;
    process.env.WATCHDOG_USEC = '1000000'; // pings every 0.5 s; stale after 1 s
    try {
      d = await spawnDaemon([join(packageRoot(), 'test/service/fixtures/wedge-daemon.ts'), join(dir, 'data')], /READY (\S+)/, 90_000);
    } finally {
      delete process.env.NOTIFY_SOCKET;
      delete process.env.WATCHDOG_USEC;
    }
    await sock.waitFor((m) => m.some((x) => x.fields.READY === '1'), 'READY=1', 60_000);
    const ready = sock.with('READY', '1')[0]!;
    expect(ready.fields.STATUS).toMatch(/^Ready: serving on http/);
    expect(ready.fields.MAINPID).toBe(String(d.proc.pid));
    const health = (await (await fetch(`${d.url}/api/health`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(health)).toMatch(/fetal-head/);
    await sock.waitFor((m) => pings(m) >= 3, 'three pings');

    // The source keeps saying "running" but delivers nothing: the daemon's STATUS counts the stall up, and no
    // ping leaves while it lasts (waited for until the daemon itself says 3 s without a frame: 3 watchdog periods).
    d.proc.kill('SIGUSR2');
    const stall = (x: NotifyMessage): number => Number(/No frame from the source for ([\d.]+) s/.exec(x.fields.STATUS ?? '')?.[1] ?? -1);
    await sock.waitFor((m) => m.some((x) => stall(x) >= 0), 'STATUS: no frame');
    const stuckAt = sock.messages.findIndex((x) => stall(x) >= 0);
    await sock.waitFor((m) => m.some((x) => stall(x) >= 3), 'STATUS: no frame for 3 s');
    expect(pings(sock.messages, stuckAt)).toBe(0);
    d.proc.kill('SIGUSR2');
    await sock.waitFor((m) => pings(m, stuckAt) > 0, 'pings resume after the source recovers');
    expect(sock.messages.slice(stuckAt).find((x) => x.fields.WATCHDOG === '1' || x.fields.STATUS === 'Live: frames and results flowing')?.fields.STATUS).toBe('Live: frames and results flowing');

    // The event loop blocked for 3 s (no timer can fire, no ping can leave): on waking, the daemon sees its
    // own tick came 2.5 s late, says so, withholds that ping, and resumes.
    const before = sock.messages.length;
    d.proc.kill('SIGUSR1');
    await sock.waitFor((m) => m.slice(before).some((x) => /^The event loop was blocked for [\d.]+ s$/.test(x.fields.STATUS ?? '')), 'STATUS after the block');
    const after = sock.messages.length;
    await sock.waitFor((m) => pings(m, after) >= 2, 'pings resume after the block');
  }, 150_000);
});
