import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceLifecycle } from '../../src/service/lifecycle.js';
import { SystemdNotifier } from '../../src/service/notify.js';
import type { WatchdogHeartbeat } from '../../src/service/heartbeat.js';
import { tempDir } from '../helpers/tmp.js';
import { NotifySocket } from './notify-socket.js';

/** A pipeline stand-in whose frames and results flow on a real timer until told to stop. */
class TestPipeline implements WatchdogHeartbeat {
  frameAt = 0;
  resultAt = 0;
  reads = 0;
  results = true;
  frames = true;
  due = true;
  readonly #timer = setInterval(() => {
    if (this.frames) this.frameAt = Date.now();
    if (this.results) this.resultAt = Date.now();
  }, 20);
  lastFrameAt(): number {
    this.reads++;
    return this.frameAt;
  }
  lastResultAt(): number {
    this.reads++;
    return this.resultAt;
  }
  framesExpected(): boolean {
    return this.due;
  }
  stop(): void {
    clearInterval(this.#timer);
  }
  /** Resolves after the lifecycle has read the heartbeat `n` more times (each look reads one or two times). */
  async looks(n: number): Promise<void> {
    const target = this.reads + n;
    while (this.reads < target) await new Promise((r) => setTimeout(r, 20));
  }
}

describe('systemd notify through a real notify socket', () => {
  const dir = tempDir('sonoedge-notify-');
  let sock: NotifySocket;
  beforeAll(async () => {
    sock = await NotifySocket.open(dir);
  });
  afterAll(() => sock.close());

  it('is off without NOTIFY_SOCKET and sends nothing', async () => {
    const n = new SystemdNotifier({ env: {} });
    expect(n.enabled).toBe(false);
    expect(await n.ready('x')).toBe(false);
  });

  it('says READY=1 only after the first result, then pings at half the period while frames and results flow', async () => {
    const errors: string[] = [];
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: sock.path }, onError: (e) => errors.push(e) });
    const pipe = new TestPipeline();
    pipe.results = false;
    const life = new ServiceLifecycle({ notifier, heartbeat: pipe, env: { WATCHDOG_USEC: '600000' }, readyPollMs: 20 });
    expect(life.watchdogMs).toBe(600);
    life.startupComplete('test source');
    await pipe.looks(5);
    expect(sock.with('READY')).toHaveLength(0);
    pipe.results = true;
    await sock.waitFor((m) => m.some((x) => x.fields.READY === '1'), 'READY=1');
    const ready = sock.with('READY', '1')[0]!;
    expect(ready.fields.STATUS).toBe('Ready: test source');
    expect(ready.fields.MAINPID).toBe(String(process.pid));
    await sock.waitFor((m) => m.filter((x) => x.fields.WATCHDOG === '1').length >= 3, 'three WATCHDOG=1');

    // Results stop while frames keep coming: the pipeline is wedged, the pings stop, STATUS says why.
    pipe.results = false;
    await sock.waitFor((m) => m.some((x) => /pipeline is wedged/.test(x.fields.STATUS ?? '')), 'STATUS wedged');
    const wedgedAt = sock.messages.findIndex((x) => /pipeline is wedged/.test(x.fields.STATUS ?? ''));
    await pipe.looks(6);
    expect(sock.messages.slice(wedgedAt).filter((x) => x.fields.WATCHDOG === '1')).toHaveLength(0);
    expect(life.snapshot()).toMatchObject({ healthy: false, state: 'ready' });

    // It comes back: pings resume.
    pipe.results = true;
    await sock.waitFor((m) => m.slice(wedgedAt).some((x) => x.fields.WATCHDOG === '1'), 'pings resume');

    // The source stops delivering: stuck too.
    pipe.frames = false;
    await sock.waitFor((m) => m.some((x) => /No frame from the source/.test(x.fields.STATUS ?? '')), 'STATUS no frame');
    const stuckAt = sock.messages.findIndex((x) => /No frame from the source/.test(x.fields.STATUS ?? ''));
    await pipe.looks(6);
    expect(sock.messages.slice(stuckAt).filter((x) => x.fields.WATCHDOG === '1')).toHaveLength(0);

    // A frozen probe or a failed source is not a fault: frames are not due, pings go on.
    pipe.due = false;
    await sock.waitFor((m) => m.slice(stuckAt).some((x) => x.fields.WATCHDOG === '1'), 'pings while no frames are due');

    await life.stopping('SIGTERM');
    expect(sock.with('STOPPING', '1')[0]?.fields.STATUS).toBe('Stopping: SIGTERM');
    const after = sock.with('WATCHDOG', '1').length;
    await pipe.looks(0);
    pipe.stop();
    expect(sock.with('WATCHDOG', '1').length).toBe(after);
    expect(errors).toEqual([]);
  });

  it('is ready at once when no frames are due (the source failed at start)', async () => {
    const before = sock.with('READY').length;
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: sock.path } });
    const pipe = new TestPipeline();
    pipe.due = false;
    pipe.frames = pipe.results = false;
    const life = new ServiceLifecycle({ notifier, heartbeat: pipe, env: {} });
    life.startupComplete('source failed');
    await sock.waitFor((m) => m.filter((x) => x.fields.READY === '1').length > before, 'READY=1');
    expect(sock.with('READY').at(-1)!.fields.STATUS).toBe('Ready without live inference: source failed');
    await life.stopping('test over');
    pipe.stop();
  });

  it('reports a send that cannot reach the socket instead of throwing', async () => {
    const errors: string[] = [];
    const n = new SystemdNotifier({ env: { NOTIFY_SOCKET: dir + '/nobody-listens.sock' }, onError: (e) => errors.push(e) });
    expect(await n.watchdog()).toBe(false);
    expect(errors[0]).toMatch(/systemd-notify WATCHDOG failed/);
  });
});
