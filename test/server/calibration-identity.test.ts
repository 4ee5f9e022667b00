/**
 * Calibrations are kept per device, not per `driver:config.source.id` (every source the daemon switches to
 * carries the same id), and a calibration does not silently replace the spacing a scanner declares with every
 * frame. Two real OpenIGTLink servers (TCP, IMAGE messages with their own spacing) through the real daemon.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeImageMessage } from '../../drivers/igtl/protocol.js';
import type { Frame } from '../../src/capture/frame.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { getJson, putJson, until } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface Status {
  pixelSpacing: { x: number; y: number } | null;
  source?: string;
  inUse?: { pixelSpacing: { x: number; y: number } | null; from: string } | null;
  sourceDeclares?: { x: number; y: number } | null;
  stored?: { pixelSpacing: { x: number; y: number }; override: boolean } | null;
  notApplied?: { reason: string; message: string } | null;
}

/** An OpenIGTLink server that streams 64×64 IMAGE messages declaring `mm` per pixel to whoever connects (or nothing, when `silent`). */
async function scanner(mm: number, silent = false): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((c) => {
    sockets.add(c);
    const px = new Uint8Array(64 * 64).fill(90);
    const t = silent ? undefined : setInterval(() => c.write(encodeImageMessage(px, 64, 64, { spacing: [mm, mm] })), 25);
    c.on('error', () => {});
    c.on('close', () => {
      clearInterval(t);
      sockets.delete(c);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** The spacing of the next frames the daemon's pipeline publishes (after its entrance checks), once `ok` holds. */
/** A spacing as the scanner sends it: float32 in the IMAGE matrix (0.2 arrives as 0.20000000298…). */
const near = (want: number) => (mm: number | undefined) => mm !== undefined && Math.abs(mm - want) < 1e-6;

async function spacingOnFrames(d: TestDaemon, ok: (mm: number | undefined) => boolean, what: string): Promise<number | undefined> {
  let last: number | undefined;
  let n = 0;
  const off = d.runtime.bus.on('frame', (f: Frame) => {
    last = f.pixelSpacing?.x;
    n++;
  });
  try {
    // three frames in a row with the wanted spacing: the switch is over, not just one frame of it
    let streak = 0;
    let seen = 0;
    await until(
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        if (n > seen) {
          seen = n;
          streak = ok(last) ? streak + 1 : 0;
        }
        return streak;
      },
      (s) => s >= 3,
      10_000,
      what,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)} (last frame at ${String(last)} mm, ${n} frames)`);
    });
    return last;
  } finally {
    off();
  }
}

const cal = (d: TestDaemon): Promise<Status> => getJson<Status>(d.url + '/api/source/calibration').then((r) => r.body);
const to = (d: TestDaemon, port: number) => putJson(d.url + '/api/source', { driver: 'igtl', settings: { host: '127.0.0.1', port } });

describe('calibrations of OpenIGTLink scanners', () => {
  let one: Awaited<ReturnType<typeof scanner>>;
  let two: Awaited<ReturnType<typeof scanner>>;
  let d: TestDaemon;
  const dir = tempDir();

  beforeAll(async () => {
    one = await scanner(0.5);
    two = await scanner(0.2);
    d = await startTestDaemon(dir, { models: [], source: { driver: 'igtl', id: 'main' }, drivers: { igtl: { host: '127.0.0.1', port: one.port } } });
    await spacingOnFrames(d, near(0.5), 'scanner 1 at its own 0.5 mm');
  });
  afterAll(async () => {
    await d?.close();
    await one?.close();
    await two?.close();
  });

  it('refuses to replace the spacing a scanner declares when told not to (override: false), and says which spacing is in use', async () => {
    const refused = await putJson<{ code: string; message: string; details: Record<string, unknown> }>(d.url + '/api/source/calibration', { pixelSpacingMm: 0.4, override: false });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('SONO_CALIBRATION_INVALID');
    expect(refused.body.message).toMatch(/declares its own pixel spacing \(0\.500 mm\/px\).*override: true/);
    expect(refused.body.details).toMatchObject({ reason: 'source-declares-spacing', declaredMmPerPx: [0.5, 0.5] });
    await spacingOnFrames(d, near(0.5), 'scanner 1 still at its own 0.5 mm');
    expect(await cal(d)).toMatchObject({ pixelSpacing: null, source: `igtl@127.0.0.1:${one.port}/*`, inUse: { pixelSpacing: { x: 0.5, y: 0.5 }, from: 'source' }, stored: null });
    expect(existsOrEmpty(join(dir, 'data', 'calibration.json'))).toEqual({});
  });

  it('keeps an override for the scanner it was made on only: another scanner keeps its own spacing', async () => {
    // made on this scanner without a flag (as the UI's two-point tool does): the technician replaces its spacing on purpose
    const put = await putJson<Status>(d.url + '/api/source/calibration', { pixelSpacingMm: 0.4 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ pixelSpacing: { x: 0.4, y: 0.4 }, stored: { pixelSpacing: { x: 0.4, y: 0.4 }, override: true } });
    await spacingOnFrames(d, near(0.4), 'scanner 1 calibrated to 0.4 mm');
    expect(await cal(d)).toMatchObject({ inUse: { from: 'calibration' }, sourceDeclares: { x: 0.5, y: 0.5 } });

    // scanner 2, same driver and frame size, other host:port: its own 0.2 mm, not scanner 1's calibration
    expect((await to(d, two.port)).status).toBe(200);
    await spacingOnFrames(d, near(0.2), 'scanner 2 at its own 0.2 mm');
    expect(await cal(d)).toMatchObject({ pixelSpacing: null, source: `igtl@127.0.0.1:${two.port}/*`, stored: null, notApplied: null });

    // back on scanner 1: its calibration again
    expect((await to(d, one.port)).status).toBe(200);
    await spacingOnFrames(d, near(0.4), 'scanner 1 calibrated again');
    const stored = existsOrEmpty(join(dir, 'data', 'calibration.json'));
    expect(Object.keys(stored)).toEqual([`igtl@127.0.0.1:${one.port}/*`]);
  });

  it("refuses a calibration on a scanner that has sent no frame yet, not made on the previous scanner's frame size", async () => {
    const quiet = await scanner(0.5, true);
    try {
      expect((await to(d, quiet.port)).status).toBe(200);
      await until(
        () => cal(d),
        (s) => s.source === `igtl@127.0.0.1:${quiet.port}/*`,
        10_000,
        'the quiet scanner current',
      );
      const r = await putJson<{ code: string; message: string }>(d.url + '/api/source/calibration', { pixelSpacingMm: 0.3, override: true });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'SONO_CALIBRATION_INVALID', message: expect.stringMatching(/No frame has arrived yet/) });
      expect(Object.keys(existsOrEmpty(join(dir, 'data', 'calibration.json')))).toEqual([`igtl@127.0.0.1:${one.port}/*`]);
    } finally {
      await quiet.close();
    }
  });
});

describe('a calibration an earlier version saved for the configured scanner', () => {
  it('is kept for that scanner but does not replace the spacing it declares; the status says so', async () => {
    const one = await scanner(0.5);
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    const legacy = { calibration: { pixelSpacingMm: 0.4 }, pixelSpacing: { x: 0.4, y: 0.4 }, frame: { width: 64, height: 64 }, savedAt: '2026-11-01T10:00:00.000Z' };
    writeFileSync(join(dir, 'data', 'calibration.json'), JSON.stringify({ version: 1, sources: { 'igtl:main': legacy } }));
    const d = await startTestDaemon(dir, { models: [], source: { driver: 'igtl', id: 'main' }, drivers: { igtl: { host: '127.0.0.1', port: one.port } } });
    try {
      await spacingOnFrames(d, near(0.5), 'the scanner at its own 0.5 mm');
      const st = await cal(d);
      expect(st).toMatchObject({ pixelSpacing: null, inUse: { from: 'source' }, stored: { pixelSpacing: { x: 0.4, y: 0.4 }, override: false }, notApplied: { reason: 'source-declares-spacing' } });
      expect(st.notApplied!.message).toMatch(/declares its own spacing \(0\.500 mm\/px\).*override: true/);
      expect(Object.keys(existsOrEmpty(join(dir, 'data', 'calibration.json')))).toEqual([`igtl@127.0.0.1:${one.port}/*`]);
      // asked for: in force
      expect((await putJson(d.url + '/api/source/calibration', { pixelSpacingMm: 0.4, override: true })).status).toBe(200);
      await spacingOnFrames(d, near(0.4), 'the scanner calibrated to 0.4 mm');
    } finally {
      await d.close();
      await one.close();
    }
  });
});

describe('a calibration with no frame to name', () => {
  it('is refused (coded), nothing stored, while the source has sent no frame', async () => {
    const quiet = await scanner(0.5, true);
    const dir = tempDir();
    const d = await startTestDaemon(dir, { models: [], drivers: { igtl: { host: '127.0.0.1', port: quiet.port } }, source: { driver: 'igtl', id: 'probe' } });
    try {
      for (const body of [{ pixelSpacingMm: 0.3 }, { pixelSpacingMm: 0.3, override: true }]) {
        const r = await putJson<{ code: string; message: string }>(d.url + '/api/source/calibration', body);
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ code: 'SONO_CALIBRATION_INVALID', message: expect.stringMatching(/No frame has arrived yet/) });
      }
      expect(existsOrEmpty(join(dir, 'data', 'calibration.json'))).toEqual({});
    } finally {
      await d.close();
      await quiet.close();
    }
  });
});

function existsOrEmpty(file: string): Record<string, unknown> {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { sources: Record<string, unknown> }).sources;
  } catch {
    return {};
  }
}
