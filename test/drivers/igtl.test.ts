/**
 * The igtl driver against a real OpenIGTLink server built by the test with g++ from Debian's
 * libopenigtlink-dev (test/fixtures/igtl/image_server.cxx), on loopback; plus protocol unit tests for
 * version 2 bodies, garbage and truncation.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { IgtlSource } from '../../drivers/igtl/igtl.js';
import { IgtlStreamParser, crc64, decodeImage, encodeImageMessage } from '../../drivers/igtl/protocol.js';
import { packageRoot } from '../../src/util/package-root.js';
import { freePort } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

const canBuild = existsSync('/usr/include/openigtlink/igtlImageMessage.h') && spawnSync('g++', ['--version']).status === 0;
if (!canBuild) console.warn('Skipping the OpenIGTLink server test: needs g++ and libopenigtlink-dev');

const imageMessage = (version: 1 | 2, w: number, h: number, spacing: [number, number], fill: number): Buffer =>
  encodeImageMessage(new Uint8Array(w * h).fill(fill), w, h, { version, spacing, origin: [5, 6, 7], timestampS: 1700000123 });

describe('OpenIGTLink protocol', () => {
  it('CRC-64/ECMA-182 check value: "123456789" → 0x6C40DF5F0B497347', () => {
    const [hi, lo] = crc64(Buffer.from('123456789'));
    expect(hi.toString(16) + lo.toString(16).padStart(8, '0')).toBe('6c40df5f0b497347');
  });

  it('decodes version 1 and 2 IMAGE bodies, resynchronises after garbage, keeps a truncated tail pending', () => {
    const p = new IgtlStreamParser();
    const stream = Buffer.concat([Buffer.from('noise!'), imageMessage(1, 8, 6, [0.2, 0.3], 9), imageMessage(2, 8, 6, [0.5, 0.5], 77), imageMessage(1, 8, 6, [0.2, 0.3], 5).subarray(0, 40)]);
    const got = [];
    for (let i = 0; i < stream.length; i += 7) got.push(...p.push(stream.subarray(i, i + 7)));
    expect(got.map((m) => m.header.version)).toEqual([1, 2]);
    const a = decodeImage(got[0]!.content);
    const b = decodeImage(got[1]!.content);
    expect([a.width, a.height, a.pixels[0], b.pixels[47]]).toEqual([8, 6, 9, 77]);
    expect(a.spacingMm!.x).toBeCloseTo(0.2, 6);
    expect(a.spacingMm!.y).toBeCloseTo(0.3, 6);
    expect(a.origin).toEqual([5, 6, 7]);
    expect(p.stats.garbageBytes).toBe(6);
    expect(p.pending()).toBe(40);
  });
});

describe.skipIf(!canBuild)('igtl driver against a real OpenIGTLink server', () => {
  const dir = tempDir();
  const bin = join(dir, 'image_server');
  beforeAll(() => {
    const r = spawnSync('g++', ['-O1', '-o', bin, join(packageRoot(), 'test', 'fixtures', 'igtl', 'image_server.cxx'), '-I/usr/include/openigtlink', '-lOpenIGTLink'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('frames, spacing and timestamps arrive intact; bad CRC and unknown types are counted and skipped', async () => {
    const port = await freePort();
    const server: ChildProcess = spawn(bin, [String(port), '6', '64', '48', '0.3', '0.4'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => server.stdout!.once('data', r));
    const src = new IgtlSource('igtl', { port, reconnectInitialMs: 5000 });
    const frames: Frame[] = [];
    await src.start((f) => frames.push({ ...f, data: f.data.slice() }));
    for (let i = 0; i < 60 && !src.lastStatus(); i++) await new Promise((r) => setTimeout(r, 50));
    await src.stop();
    server.kill('SIGKILL');
    expect(frames.length).toBe(6); // the corrupted copy of frame 1 is not among them
    for (const [i, f] of frames.entries()) {
      expect([f.width, f.height, f.channels]).toEqual([64, 48, 1]);
      expect(f.pixelSpacing!.x).toBeCloseTo(0.3, 5);
      expect(f.pixelSpacing!.y).toBeCloseTo(0.4, 5);
      expect(f.deviceTimeS).toBe(1700000000 + i);
      expect(f.orientation).toEqual([1, 0, 0, 0, 1, 0]);
      expect(f.data[10]).toBe((10 + i * 7) % 251);
    }
    const s = src.streamStats();
    expect(s.crcErrors).toBe(1);
    expect(s.unknownTypes).toBe(1);
    expect(src.lastStatus()).toMatch(/streaming done/);
  });

  it('reconnects when the server comes back', async () => {
    const port = await freePort();
    const src = new IgtlSource('igtl', { port, reconnectInitialMs: 100, reconnectMaxMs: 200 });
    let n = 0;
    await src.start(() => n++);
    await new Promise((r) => setTimeout(r, 300)); // nobody listening yet: retried
    const server = spawn(bin, [String(port), '3', '32', '32', '0.5', '0.5'], { stdio: 'ignore' });
    for (let i = 0; i < 60 && n < 3; i++) await new Promise((r) => setTimeout(r, 100));
    await src.stop();
    server.kill('SIGKILL');
    expect(n).toBe(3);
  });
});
