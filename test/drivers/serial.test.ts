/**
 * Probe control over a real pseudo-terminal pair made by socat, with a scripted probe on the other end:
 * events arrive in order; garbage, a corrupted CRC and a truncated frame are counted and skipped without
 * losing sync.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeEvent } from '../../src/capture/probe-control.js';
import { Button, MsgType, ProbeFrameParser, crc16, encodeFrame } from '../../drivers/serial/protocol.js';
import { SerialProbe } from '../../drivers/serial/serial-probe.js';
import WebSocket from 'ws';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { liveHeaders } from '../helpers/auth.js';
import { tempDir } from '../helpers/tmp.js';

const hasSocat = spawnSync('socat', ['-V']).status === 0;

const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const i16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16LE(v); return b; };

function script(): Buffer[] {
  const good = [
    encodeFrame(MsgType.IDENTITY, Buffer.from('C5-2\0SN123', 'ascii')),
    encodeFrame(MsgType.DEPTH, u16(160)),
    encodeFrame(MsgType.GAIN, Buffer.from([0xfb])), // -5 dB
    encodeFrame(MsgType.TEMPERATURE, i16(372)),
    encodeFrame(MsgType.BUTTON, Buffer.from([Button.FREEZE])),
  ];
  const corrupt = Buffer.from(encodeFrame(MsgType.DEPTH, u16(999)));
  corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 0xff;
  const truncated = encodeFrame(MsgType.DEPTH, u16(777)).subarray(0, 5);
  const unknown = encodeFrame(0x7e, Buffer.from([1, 2, 3]));
  return [Buffer.from('garbage\x00\xa5\x13noise'), good[0]!, corrupt, good[1]!, truncated, good[2]!, unknown, good[3]!, Buffer.from([0xa5]), good[4]!, encodeFrame(MsgType.BUTTON, Buffer.from([Button.UNFREEZE]))];
}

const expected: ProbeEvent[] = [
  { kind: 'identity', model: 'C5-2', serial: 'SN123' }, { kind: 'depth', mm: 160 }, { kind: 'gain', db: -5 },
  { kind: 'temperature', celsius: 37.2 }, { kind: 'freeze', frozen: true }, { kind: 'freeze', frozen: false },
];

describe('probe-control protocol', () => {
  it('CRC-16/CCITT-FALSE check value: "123456789" → 0x29B1', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x29b1);
  });
  it('resynchronises after garbage, a bad CRC, a truncated frame and an unknown type, byte by byte too', () => {
    for (const split of [1, 3, 1000]) {
      const p = new ProbeFrameParser();
      const all = Buffer.concat(script());
      const got: ProbeEvent[] = [];
      for (let i = 0; i < all.length; i += split) got.push(...p.push(all.subarray(i, i + split)));
      expect(got).toEqual(expected);
      expect(p.stats.crcErrors).toBeGreaterThanOrEqual(1);
      expect(p.stats.unknownTypes).toBe(1);
      expect(p.stats.garbageBytes).toBeGreaterThan(5);
    }
  });
});

describe.skipIf(!hasSocat)('serial probe over a socat pty pair', () => {
  let socat: ChildProcess;
  let ptys: [string, string];
  beforeAll(async () => {
    socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    ptys = await new Promise((resolve, reject) => {
      const found: string[] = [];
      const t = setTimeout(() => reject(new Error('socat gave no ptys')), 5000);
      socat.stderr!.on('data', (d: Buffer) => {
        for (const m of d.toString().matchAll(/PTY is (\/dev\/pts\/\d+)/g)) found.push(m[1]!);
        if (found.length === 2) {
          clearTimeout(t);
          resolve([found[0]!, found[1]!]);
        }
      });
    });
  });
  afterAll(() => socat?.kill('SIGKILL'));

  it('delivers the scripted probe events in order and counts the bad frames', async () => {
    const probe = new SerialProbe({ path: ptys[0], baudRate: 115200 });
    const got: ProbeEvent[] = [];
    await probe.start((e) => got.push(e));
    const fd = openSync(ptys[1], 'w');
    try {
      for (const chunk of script()) {
        writeSync(fd, chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
      for (let i = 0; i < 50 && got.length < expected.length; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      closeSync(fd);
    }
    expect(got).toEqual(expected);
    const h = probe.health();
    expect(h.connected).toBe(true);
    expect(h.crcErrors).toBeGreaterThanOrEqual(1);
    expect(h.unknownTypes).toBe(1);
    await probe.stop();
  });

  it('names a port that cannot be opened', async () => {
    await expect(new SerialProbe({ path: '/dev/ttyNOPE9' }).start(() => {})).rejects.toThrow(/Cannot open \/dev\/ttyNOPE9/);
  });
});

describe.skipIf(!hasSocat)('probe freeze reaches the pipeline and the live WebSocket', () => {
  it('a frozen probe freezes the view, unfreezing resumes it', async () => {
    const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ptys: string[] = await new Promise((resolve) => {
      const found: string[] = [];
      socat.stderr!.on('data', (d: Buffer) => {
        for (const m of d.toString().matchAll(/PTY is (\/dev\/pts\/\d+)/g)) found.push(m[1]!);
        if (found.length === 2) resolve(found);
      });
    });
    const d = await startTestDaemon(tempDir(), { probeControl: { driver: 'serial', settings: { path: ptys[0] } } });
    const fd = openSync(ptys[1]!, 'w');
    try {
      await waitForHealth(d.url, 200);
      const ws = new WebSocket(d.url.replace('http', 'ws') + '/api/live', { headers: liveHeaders(d.url) });
      const probeMsgs: unknown[] = [];
      let framesWhileFrozen = 0;
      let frozen = false;
      ws.on('message', (data: Buffer, bin: boolean) => {
        if (bin && frozen) framesWhileFrozen++;
        if (!bin) {
          const m = JSON.parse(data.toString()) as { type: string; event?: { kind: string; frozen: boolean } };
          if (m.type === 'probe') probeMsgs.push(m.event);
        }
      });
      await new Promise((r) => ws.once('open', r));
      writeSync(fd, encodeFrame(MsgType.BUTTON, Buffer.from([Button.FREEZE])));
      for (let i = 0; i < 40 && probeMsgs.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 100));
      frozen = true;
      await new Promise((r) => setTimeout(r, 600));
      frozen = false;
      expect(framesWhileFrozen).toBe(0);
      writeSync(fd, encodeFrame(MsgType.BUTTON, Buffer.from([Button.UNFREEZE])));
      let after = 0;
      ws.on('message', (_d: Buffer, bin: boolean) => bin && after++);
      for (let i = 0; i < 40 && after < 3; i++) await new Promise((r) => setTimeout(r, 50));
      expect(after).toBeGreaterThanOrEqual(3);
      expect(probeMsgs).toEqual([{ kind: 'freeze', frozen: true }, { kind: 'freeze', frozen: false }]);
      const h = (await (await fetch(d.url + '/api/health')).json()) as { probe: { connected: boolean; framesOk: number } };
      expect(h.probe).toMatchObject({ connected: true, framesOk: 2 });
      ws.close();
    } finally {
      closeSync(fd);
      await d.close();
      socat.kill('SIGKILL');
    }
  });
});
