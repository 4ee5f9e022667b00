import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { NotifySocket } from '../service/notify-socket.js';

describe('sonoedge serve under systemd (Type=notify, WatchdogSec)', () => {
  const dir = tempDir('sonoedge-serve-notify-');
  let sock: NotifySocket;
  beforeAll(async () => {
    sock = await NotifySocket.open(dir);
  });
  afterAll(() => sock.close());

  it('says READY=1 once results flow, pings the watchdog from the pipeline heartbeat, and STOPPING=1 on SIGTERM', async () => {
    const file = join(dir, 'sonoedge.json');
    writeFileSync(file, JSON.stringify({
      server: { port: 0 }, dataDir: './data', inference: { warmupRuns: 0, providers: ['cpu'] }, models: [{ id: 'fetal-head' }],
      source: { driver: 'simulated' }, drivers: { simulated: { fps: 10, width: 160, height: 120 } },
    }));
    const d = await spawnDaemon([join('src', 'cli.ts'), 'serve', '--config', file], /open (http:\/\/[^/\s]+)\//, 60_000, { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000' });
    try {
      await sock.waitFor((m) => m.some((x) => x.fields.READY === '1'), 'READY=1', 30_000);
      await sock.waitFor((m) => m.some((x) => x.fields.WATCHDOG === '1'), 'WATCHDOG=1', 30_000);
      const ready = sock.messages.find((x) => x.fields.READY === '1')!;
      expect(ready.fields.STATUS).toMatch(/^Ready: serving on http:\/\//);
    } finally {
      const exit = await d.stop();
      expect(exit.code).toBe(0);
    }
    await sock.waitFor((m) => m.some((x) => x.fields.STOPPING === '1'), 'STOPPING=1', 10_000);
  });
});
