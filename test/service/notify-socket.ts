/**
 * A real systemd notify socket for tests: a unix datagram socket bound by a small python3 receiver (Node has
 * none), printing each datagram as one JSON line. Ancillary data (the BARRIER=1 pipe systemd-notify sends)
 * is not read, so the kernel closes it and the sender's barrier completes, as with PID 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const RECEIVER = `
import json, os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print(json.dumps("BOUND"), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps(data.decode("utf-8", "replace")), flush=True)
`;

export interface NotifyMessage {
  at: number;
  fields: Record<string, string>;
}

export class NotifySocket {
  readonly messages: NotifyMessage[] = [];
  readonly #proc: ChildProcess;
  #waiters: Array<() => void> = [];

  private constructor(readonly path: string, proc: ChildProcess) {
    this.#proc = proc;
  }

  static async open(dir: string): Promise<NotifySocket> {
    const path = join(dir, `notify-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`);
    const proc = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sock = new NotifySocket(path, proc);
    let buf = '';
    let bound: () => void = () => {};
    const isBound = new Promise<void>((r) => (bound = r));
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const text = JSON.parse(buf.slice(0, i)) as string;
        buf = buf.slice(i + 1);
        if (text === 'BOUND') {
          bound();
          continue;
        }
        const fields: Record<string, string> = {};
        for (const line of text.split('\n').filter(Boolean)) {
          const eq = line.indexOf('=');
          fields[line.slice(0, eq)] = line.slice(eq + 1);
        }
        sock.messages.push({ at: Date.now(), fields });
      }
      for (const w of sock.#waiters.splice(0)) w();
    });
    await isBound;
    return sock;
  }

  /** Messages that hold KEY (=VALUE when given). */
  with(key: string, value?: string): NotifyMessage[] {
    return this.messages.filter((m) => key in m.fields && (value === undefined || m.fields[key] === value));
  }

  /** Waits until `ok` holds on the messages so far; fails with what arrived. */
  waitFor(ok: (messages: NotifyMessage[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: not seen in ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-10).map((m) => m.fields))}`)), timeoutMs);
      const check = (): void => {
        if (ok(this.messages)) {
          clearTimeout(timer);
          resolve();
        } else this.#waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.#proc.kill('SIGKILL');
  }
}
