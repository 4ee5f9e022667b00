import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type DaemonProcess, getJson, spawnDaemon, until } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface Health {
  status: string;
  source: { driver: string; state: string; framesDelivered: number };
}

const health = async (d: DaemonProcess): Promise<Health> => (await getJson<Health>(d.url + '/api/health')).body;

describe('serve --config FILE follows edits of its file', () => {
  it('switches the source without a restart, refuses an invalid file with every bad key, reports what needs a restart, reloads on SIGHUP (restarting a failed source)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'frames'));
    await sharp({ create: { width: 200, height: 150, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toFile(join(dir, 'frames', 'a.png'));
    const file = join(dir, 'sonoedge.json');
    const base = {
      server: { port: 0 }, dataDir: './data', inference: { warmupRuns: 0, providers: ['cpu'] },
      source: { driver: 'simulated' }, drivers: { simulated: { fps: 10, width: 160, height: 120 } },
    };
    const write = (c: unknown): void => writeFileSync(file, typeof c === 'string' ? c : JSON.stringify(c, null, 2));
    write(base);
    const replay = { ...base, source: { driver: 'replay' }, drivers: { ...base.drivers, replay: { path: './frames', fps: 20 } } };

    const d = await spawnDaemon([join('src', 'cli.ts'), 'serve', '--config', file], /open (http:\/\/[^/\s]+)\//);
    try {
      await until(() => health(d), (h) => h.status === 'ok' && h.source.driver === 'simulated' && h.source.state === 'running', 30_000, 'simulated running');

      // 1. The source section changes: switched, no restart (same process, same URL), one reload per edit.
      let mark = d.logs.length;
      write(replay);
      await d.waitForLog(/^Config reloaded: source switched to "replay" without a restart$/, 20_000, mark);
      await until(() => health(d), (h) => h.source.driver === 'replay' && h.source.state === 'running' && h.source.framesDelivered > 3, 20_000, 'replay running');
      await new Promise((r) => setTimeout(r, 800));
      expect(d.logs.slice(mark).filter((l) => /^Config /.test(l.msg ?? '')).length).toBe(1);

      // 2. An invalid file: every bad key path in the log, the daemon unchanged.
      const running = async (): Promise<void> => {
        const before = (await health(d)).source.framesDelivered;
        await until(() => health(d), (h) => h.source.driver === 'replay' && h.source.state === 'running' && h.source.framesDelivered > before + 2, 10_000, 'replay still running');
      };
      mark = d.logs.length;
      write({ ...replay, server: { port: 'eighty' }, inference: { warmupRuns: 0, precision: 'int4' }, source: { driver: 'replay', colour: 'blue' } });
      let refused = await d.waitForLog(/^Config reload refused, the daemon keeps running unchanged: /, 20_000, mark);
      expect(refused.msg).toMatch(/\/server\/port/);
      expect(refused.msg).toMatch(/\/inference\/precision/);
      expect(refused.msg).toMatch(/\/source\/colour/);
      expect(refused.level).toBe(50);
      await running();

      // 3. Not even JSON, then a driver section its driver refuses: refused the same way.
      mark = d.logs.length;
      write('{ "source": ');
      refused = await d.waitForLog(/^Config reload refused/, 20_000, mark);
      expect(refused.msg).toMatch(/is not valid JSON/);
      mark = d.logs.length;
      write({ ...replay, drivers: { ...replay.drivers, v4l2: { width: 10 } } });
      refused = await d.waitForLog(/^Config reload refused/, 20_000, mark);
      expect(refused.msg).toMatch(/\/drivers\/v4l2: .*\n.*\/width/);
      await running();

      // 4. A source that cannot start: the old one keeps running.
      mark = d.logs.length;
      write({ ...replay, drivers: { ...replay.drivers, replay: { path: './no-such-folder' } } });
      const failed = await d.waitForLog(/^Source "replay" from the edited config could not start, the previous source keeps running: .*no-such-folder does not exist/, 20_000, mark);
      expect(failed.level).toBe(50);
      await running();

      // 5. Back to the simulated probe, with keys that only a restart applies: named, not ignored.
      mark = d.logs.length;
      write({ ...base, drivers: { simulated: { fps: 12, width: 160, height: 120 } }, models: [{ id: 'fetal-head', everyN: 2 }], sync: { pollMs: 500 } });
      await d.waitForLog(/^Config reloaded: source switched to "simulated" without a restart$/, 20_000, mark);
      const restart = await d.waitForLog(/^Config reload: needs restart: /, 20_000, mark);
      expect(restart.msg).toBe('Config reload: needs restart: models, sync.pollMs');
      expect(restart.level).toBe(40);
      await until(() => health(d), (h) => h.source.driver === 'simulated' && h.source.state === 'running', 20_000, 'simulated again');

      // 6. SIGHUP reloads (and no longer ends the process): the restart-only keys are still reported.
      mark = d.logs.length;
      d.proc.kill('SIGHUP');
      const again = await d.waitForLog(/^Config reload: needs restart: /, 20_000, mark);
      expect(again.why).toBe('SIGHUP');
      expect((await health(d)).status).toBe('ok');

      // 7. A source that failed while running is started again by a reload: fix the input, then SIGHUP.
      mkdirSync(join(dir, 'broken'));
      writeFileSync(join(dir, 'broken', 'a.png'), 'not a png');
      mark = d.logs.length;
      write({ ...replay, drivers: { ...replay.drivers, replay: { path: './broken', fps: 20 } } });
      await d.waitForLog(/^Config reloaded: source switched to "replay"/, 20_000, mark);
      const bad = await until(() => health(d), (h) => h.source.state === 'failed', 20_000, 'broken replay failed');
      expect(bad.source.driver).toBe('replay');
      await sharp({ create: { width: 200, height: 150, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toFile(join(dir, 'broken', 'a.png'));
      mark = d.logs.length;
      d.proc.kill('SIGHUP');
      await d.waitForLog(/^Config reloaded: the failed source was replaced by "replay" from the config, started again$/, 20_000, mark);
      await until(() => health(d), (h) => h.source.driver === 'replay' && h.source.state === 'running' && h.source.framesDelivered > 3, 20_000, 'replay running after the fix');
    } finally {
      const { code } = await d.stop();
      expect(code).toBe(0);
    }
  });
});
