/**
 * `service` in /api/health and the systemd gauges in /metrics (src/app/service-wiring.ts): first through
 * inject with a real ServiceLifecycle talking to a real notify socket over a heartbeat the test drives (starting,
 * ready, pings, a stuck pipeline, stopping), then on a real `sonoedge serve` under a notify socket.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposeServiceLifecycle } from '../../src/app/service-wiring.js';
import type { WatchdogHeartbeat } from '../../src/service/heartbeat.js';
import { ServiceLifecycle } from '../../src/service/lifecycle.js';
import { SystemdNotifier } from '../../src/service/notify.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUserIn } from '../helpers/auth.js';
import { spawnDaemon } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { NotifySocket } from './notify-socket.js';

interface ServiceDto {
  state: string;
  notify: boolean;
  watchdogMs?: number;
  pings: number;
  healthy: boolean;
  reason: string;
}

/** Frames and results every 20 ms while `flowing`. */
class Heartbeat implements WatchdogHeartbeat {
  flowing = true;
  at = 0;
  readonly #timer = setInterval(() => {
    if (this.flowing) this.at = Date.now();
  }, 20);
  lastFrameAt(): number {
    return this.at;
  }
  lastResultAt(): number {
    return this.at;
  }
  framesExpected(): boolean {
    return true;
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** The gauge's value in a Prometheus text page. */
function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} is not in /metrics`);
  return Number(m[1]);
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not reached in ${timeoutMs} ms; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const dir = tempDir('sonoedge-health-service-');
let sock: NotifySocket;
beforeAll(async () => {
  sock = await NotifySocket.open(dir);
});
afterAll(() => sock.close());

describe('health service fields and systemd gauges', () => {
  it('through inject: starting, ready with pings, unhealthy while the pipeline is stuck, stopping', async () => {
    const t = await buildTestApp();
    const health = async (): Promise<{ service?: ServiceDto }> => (await t.app.inject({ url: '/api/health' })).json();
    const metrics = async (): Promise<string> => (await t.app.inject({ url: '/metrics' })).body;
    expect((await health()).service).toBeUndefined(); // no lifecycle outside serve

    const hb = new Heartbeat();
    // a 2 s period: a loaded CI box must not turn a late timer into a stuck verdict
    const env = { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000' };
    const lifecycle = new ServiceLifecycle({ notifier: new SystemdNotifier({ env }), heartbeat: hb, env, readyPollMs: 20 });
    exposeServiceLifecycle(t.runtime, lifecycle);
    try {
      expect((await health()).service).toEqual({ state: 'starting', notify: true, watchdogMs: 2000, pings: 0, healthy: true, reason: '' });
      expect(gauge(await metrics(), 'sonoedge_systemd_ready')).toBe(0);
      expect(gauge(await metrics(), 'sonoedge_watchdog_pings_total')).toBe(0);

      lifecycle.startupComplete('test');
      await sock.waitFor((m) => m.some((x) => x.fields.WATCHDOG === '1'), 'WATCHDOG=1');
      const ready = await until(health, (h) => (h.service?.pings ?? 0) >= 1, 'a ping counted');
      expect(ready.service).toMatchObject({ state: 'ready', notify: true, healthy: true, reason: 'Live: frames and results flowing' });
      const m1 = await metrics();
      expect(gauge(m1, 'sonoedge_systemd_ready')).toBe(1);
      expect(gauge(m1, 'sonoedge_watchdog_healthy')).toBe(1);
      expect(gauge(m1, 'sonoedge_watchdog_pings_total')).toBeGreaterThanOrEqual(1);

      hb.flowing = false; // frames due, none coming: the watchdog must say so and stop pinging
      const stuck = await until(health, (h) => h.service?.healthy === false, 'unhealthy');
      expect(stuck.service!.reason).toMatch(/^No frame from the source for [\d.]+ s: the source or pipeline is stuck$/);
      expect(gauge(await metrics(), 'sonoedge_watchdog_healthy')).toBe(0);

      hb.flowing = true;
      await until(health, (h) => h.service?.healthy === true, 'healthy again');
      await lifecycle.stopping('test over');
      expect((await health()).service!.state).toBe('stopping');
      expect(gauge(await metrics(), 'sonoedge_systemd_ready')).toBe(0);
    } finally {
      hb.stop();
      await lifecycle.stopping('test over');
    }
  });

  it('on a real serve under a notify socket: health says ready with pings, /metrics has the three gauges', async () => {
    const data = join(dir, 'data');
    const auth = await addTokenUserIn(data, 'technician');
    const file = join(dir, 'sonoedge.json');
    writeFileSync(
      file,
      JSON.stringify({
        server: { port: 0 }, dataDir: data, inference: { warmupRuns: 0, providers: ['cpu'] }, models: [{ id: 'fetal-head' }],
        source: { driver: 'simulated' }, drivers: { simulated: { fps: 10, width: 160, height: 120 } },
      }),
    );
    const d = await spawnDaemon([join('src', 'cli.ts'), 'serve', '--config', file], /open (http:\/\/[^/\s]+)\//, 60_000, { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000', CREDENTIALS_DIRECTORY: '' });
    try {
      const health = async (): Promise<{ status: string; service?: ServiceDto }> => (await fetch(d.url + '/api/health')).json() as Promise<{ status: string; service?: ServiceDto }>;
      const h = await until(health, (x) => x.service?.state === 'ready' && x.service.pings >= 1 && x.service.healthy, 'ready and healthy with a ping', 60_000);
      expect(h.service).toMatchObject({ state: 'ready', notify: true, watchdogMs: 2000, healthy: true, reason: 'Live: frames and results flowing' });
      const text = await (await fetch(d.url + '/metrics', { headers: auth.headers })).text();
      expect(gauge(text, 'sonoedge_systemd_ready')).toBe(1);
      expect(gauge(text, 'sonoedge_watchdog_healthy')).toBe(1);
      expect(gauge(text, 'sonoedge_watchdog_pings_total')).toBeGreaterThanOrEqual(1);
    } finally {
      expect((await d.stop()).code).toBe(0);
    }
  }, 120_000);
});
