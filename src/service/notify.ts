/**
 * Talks to systemd's notify socket (sd_notify protocol: READY=1, WATCHDOG=1, STOPPING=1, STATUS=…).
 *
 * Node has no unix datagram sockets, so the messages go through systemd's own `systemd-notify` tool, which
 * ships with every systemd. Native npm modules were the alternative (`sd-notify` links libsystemd, `unix-dgram`
 * needs node-gyp at install): both need a compiler and headers on the board (arm64 Jetson), this needs nothing.
 * The cost: the message comes from a child process, so the unit sets `NotifyAccess=all` (any process of the
 * service, e.g. the sync child or ffmpeg, could then send notifications; they are ours). systemd-notify (≥ 246)
 * waits until the manager has read the message (BARRIER=1), so the short-lived sender is still alive when PID 1
 * attributes it to the unit — the race the man page warns about does not arise.
 */
import { spawn } from 'node:child_process';

export interface NotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** The tool to run; tests may point it elsewhere. */
  command?: string;
  /** A send that takes longer is abandoned (the manager is gone or stuck); the next one tries again. */
  timeoutMs?: number;
  /** Reports a failed send; never throws. */
  onError?: (message: string) => void;
}

export type NotifyFields = Record<string, string>;

export class SystemdNotifier {
  readonly socket: string | undefined;
  readonly #command: string;
  readonly #timeoutMs: number;
  readonly #onError: (message: string) => void;

  constructor(options: NotifyOptions = {}) {
    const env = options.env ?? process.env;
    this.socket = env.NOTIFY_SOCKET || undefined;
    this.#command = options.command ?? 'systemd-notify';
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#onError = options.onError ?? (() => {});
  }

  /** True when started by systemd with Type=notify (NOTIFY_SOCKET set). */
  get enabled(): boolean {
    return this.socket !== undefined;
  }

  ready(status: string): Promise<boolean> {
    return this.send({ READY: '1', STATUS: status });
  }

  watchdog(): Promise<boolean> {
    return this.send({ WATCHDOG: '1' });
  }

  /** Tells systemd the watchdog is overdue now: it restarts the service at once (used when the daemon knows it is wedged). */
  watchdogTrigger(status: string): Promise<boolean> {
    return this.send({ WATCHDOG: 'trigger', STATUS: status });
  }

  stopping(status = 'Stopping'): Promise<boolean> {
    return this.send({ STOPPING: '1', STATUS: status });
  }

  status(text: string): Promise<boolean> {
    return this.send({ STATUS: text });
  }

  /** Resolves true once the manager has the message; false (reported through onError) when it could not be sent. */
  send(fields: NotifyFields): Promise<boolean> {
    if (!this.socket) return Promise.resolve(false);
    // MAINPID= names this process, not the short-lived sender, as the service's main process.
    const args = [`--pid=${process.pid}`, ...Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`)];
    return new Promise<boolean>((resolve) => {
      let stderr = '';
      const child = spawn(this.#command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NOTIFY_SOCKET: this.socket } });
      const timer = setTimeout(() => child.kill('SIGKILL'), this.#timeoutMs);
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = (ok: boolean, why?: string): void => {
        clearTimeout(timer);
        if (!ok) this.#onError(`systemd-notify ${Object.keys(fields).join(',')} failed: ${why ?? ''}`.trim());
        resolve(ok);
      };
      child.on('error', (err) => done(false, err.message));
      child.on('exit', (code, signal) => (code === 0 ? done(true) : done(false, signal ? `killed by ${signal} after ${this.#timeoutMs} ms` : `exit ${String(code)}: ${stderr.trim()}`)));
    });
  }
}

/** The watchdog period systemd asked for (WATCHDOG_USEC, for this PID when WATCHDOG_PID is set), in ms; undefined when off. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return usec / 1000;
}
