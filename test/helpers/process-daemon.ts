import { type ChildProcess, spawn } from 'node:child_process';
import { packageRoot } from '../../src/util/package-root.js';

export interface DaemonProcess {
  proc: ChildProcess;
  url: string;
  /** Parsed JSON log lines (stdout) so far. */
  logs: Array<Record<string, unknown> & { msg?: string; level?: number }>;
  /** Resolves with the first log line (already seen or coming, from line `from` on) whose message matches. */
  waitForLog(re: RegExp, timeoutMs?: number, from?: number): Promise<Record<string, unknown> & { msg: string; level: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a TypeScript entry point (the real CLI, or a fixture) through tsx in its own process; resolves once
 * it prints its URL on stderr (`readyLine` captures it). `env` is added to this process's environment.
 */
export function spawnDaemon(args: string[], readyLine: RegExp, timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SONOEDGE_LOG_LEVEL: '', ...env } });
  const logs: DaemonProcess['logs'] = [];
  let stderr = '';
  let out = '';
  const waiters: Array<() => void> = [];
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      try {
        logs.push(JSON.parse(line) as DaemonProcess['logs'][number]);
      } catch {
        logs.push({ msg: line });
      }
    }
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const waitForLog: DaemonProcess['waitForLog'] = (re, ms = 20_000, from = 0) => new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = (): void => {
      const hit = logs.slice(from).find((l) => typeof l.msg === 'string' && re.test(l.msg));
      if (hit) return resolve(hit as Awaited<ReturnType<DaemonProcess['waitForLog']>>);
      if (Date.now() - t0 > ms || proc.exitCode !== null) return reject(new Error(`no log line matching ${re} in ${ms} ms; last lines:\n${logs.slice(-8).map((l) => l.msg).join('\n')}\nstderr: ${stderr.slice(-1500)}`));
      waiters.push(check);
      setTimeout(() => {
        const k = waiters.indexOf(check);
        if (k >= 0) waiters.splice(k, 1);
        check();
      }, 200);
    };
    check();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`daemon did not start in ${timeoutMs} ms: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = readyLine.exec(stderr);
      if (m && m[1]) {
        clearTimeout(timer);
        resolve({
          proc, url: m[1], logs, waitForLog, exited,
          stop: async () => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited (${code}) before it was ready: ${stderr.slice(-2000)}`));
    });
  });
}

export async function getJson<T = Record<string, unknown>>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const r = await fetch(url, init);
  return { status: r.status, body: (await r.json()) as T };
}

export function putJson<T = Record<string, unknown>>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  return getJson<T>(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Polls `read` until `ok` holds; fails with the last value seen. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  let v = await read();
  while (!ok(v)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} not met in ${timeoutMs} ms; last: ${JSON.stringify(v).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}
