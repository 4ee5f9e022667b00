import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/load.js';
import { type Daemon, type DaemonOptions, startDaemon } from '../../src/app/daemon.js';
import { decodeFrameHeader, type DecodedFrameHeader } from '../../src/server/frame-message.js';
import { type TestAuth, addTokenUser, authorizeRequestsTo, liveHeaders } from './auth.js';

export type TestDaemon = Daemon & { auth: TestAuth | undefined };

/**
 * Starts a real daemon in-process on a free loopback port with a temp data dir. Unless `anonymous`, an admin
 * account and token are made and this file's fetch() and live clients to it carry the token (test/helpers/auth.ts).
 */
export async function startTestDaemon(dataDir: string, config: Record<string, unknown> = {}, extra: Array<[string[], unknown]> = [], options: Omit<DaemonOptions, 'logger'> & { anonymous?: boolean } = {}): Promise<TestDaemon> {
  const overrides: Array<[string[], unknown]> = [[['server', 'port'], 0], [['dataDir'], join(dataDir, 'data')], [['log', 'level'], 'silent'], ...extra];
  for (const [k, v] of Object.entries(config)) overrides.push([[k], v]);
  const { anonymous, ...daemonOptions } = options;
  const d = await startDaemon(loadConfig(undefined, { env: {}, overrides }), { logger: pino({ level: 'silent' }), ...daemonOptions });
  if (anonymous) return Object.assign(d, { auth: undefined });
  const auth = await addTokenUser(d.runtime.access.services);
  authorizeRequestsTo(d.url, auth);
  return Object.assign(d, { auth });
}

export interface LiveCapture {
  frames: Array<DecodedFrameHeader & { bytes: number; pixels: Uint8Array }>;
  texts: Array<Record<string, unknown>>;
  close(): void;
}

/** Connects to /api/live and records what arrives until `until` says stop (or the timeout). */
export function captureLive(url: string, until: (c: LiveCapture) => boolean, timeoutMs = 20000): Promise<LiveCapture> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/api/live', { headers: liveHeaders(url) });
    const cap: LiveCapture = { frames: [], texts: [], close: () => ws.close() };
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`live capture timed out with ${cap.frames.length} frames and ${cap.texts.length} text messages`));
    }, timeoutMs);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        const h = decodeFrameHeader(data);
        cap.frames.push({ ...h, bytes: data.length, pixels: new Uint8Array(data.subarray(h.pixelOffset)) });
      } else cap.texts.push(JSON.parse(data.toString()) as Record<string, unknown>);
      if (until(cap)) {
        clearTimeout(timer);
        ws.close();
        resolve(cap);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export async function waitForHealth(url: string, status: number, timeoutMs = 20000): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  for (;;) {
    const r = await fetch(url + '/api/health');
    if (r.status === status) return (await r.json()) as Record<string, unknown>;
    if (Date.now() - t0 > timeoutMs) throw new Error(`health stayed ${r.status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
