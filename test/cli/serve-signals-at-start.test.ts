/**
 * Signals while `sonoedge serve` is still starting (models loading and warming up after the HTTP server listens;
 * minutes on a board building a TensorRT engine). Session-15 review: a SIGHUP then killed the daemon (the default
 * action of an unhandled SIGHUP: the reload handler was installed only once start-up had finished), and a SIGTERM
 * was not a clean stop. Now a SIGHUP is a reload done once running, and a SIGTERM a clean stop (exit status 0).
 * Real CLI processes; the signal is sent as soon as the daemon logs that it listens, before it is ready.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';

interface Started {
  proc: ChildProcess;
  /** resolves with the URL once the daemon logs that its HTTP server listens (start-up goes on after it) */
  listening: Promise<string>;
  /** resolves once the daemon says it is running (start-up finished) */
  running: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServe(dir: string): Started {
  const cfg = join(dir, 'config.yaml');
  // warm-up runs keep the daemon starting for a while after it listens
  writeFileSync(cfg, 'source: { driver: simulated }\ndrivers: { simulated: { fps: 15, width: 160, height: 120 } }\ninference: { providers: [cpu], warmupRuns: 100 }\nlog: { level: info }\n');
  const proc = spawn(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src/cli.ts'), 'serve', '--config', cfg, '--data-dir', join(dir, 'data'), '--port', '0'], {
    cwd: packageRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SONOEDGE_LOG_LEVEL: '' },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const lines = (stream: NodeJS.ReadableStream, re: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      let text = '';
      stream.on('data', (d: Buffer) => {
        text += d.toString();
        const m = re.exec(text);
        if (m) resolve(m);
      });
      void exited.then((e) => reject(new Error(`the daemon exited (${JSON.stringify(e)}) before printing ${re}: ${text.slice(-800)}`)));
    });
  const listening = lines(proc.stdout!, /Server listening at (http:\/\/\S+?)"/).then((m) => m[1]!);
  const running = lines(proc.stderr!, /sonoedge is running/).then(() => undefined);
  // an unobserved rejection (the process exited) is not a test failure by itself
  running.catch(() => undefined);
  return { proc, listening, running, exited };
}

describe('signals while the daemon is starting', () => {
  it('a SIGHUP is a reload once running, not the end of the daemon', async () => {
    const d = startServe(tempDir('sonoedge-hup-start-'));
    try {
      const url = await d.listening;
      d.proc.kill('SIGHUP');
      await d.running;
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      expect(d.proc.exitCode).toBeNull();
      d.proc.kill('SIGTERM');
      expect(await d.exited).toEqual({ code: 0, signal: null });
    } finally {
      d.proc.kill('SIGKILL');
    }
  }, 120_000);

  it('a SIGTERM stops it cleanly (exit status 0) once start-up can be undone', async () => {
    const d = startServe(tempDir('sonoedge-term-start-'));
    try {
      await d.listening;
      d.proc.kill('SIGTERM');
      expect(await d.exited).toEqual({ code: 0, signal: null });
    } finally {
      d.proc.kill('SIGKILL');
    }
  }, 120_000);
});
