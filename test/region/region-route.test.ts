/**
 * PUT/GET /api/source/region through the real access plugin (technician tokens, a clinician refused), a real
 * pipeline fed by a grabber-like source (driver v4l2: whole-screen frames), and the region file on disk.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccess } from '../../src/access/access.js';
import { deviceNames } from '../../src/access/device-names.js';
import type { Frame } from '../../src/capture/frame.js';
import { RegionStore } from '../../src/capture/region-store.js';
import type { FrameListener, FrameSource, SourceHealth } from '../../src/capture/source.js';
import { Bus } from '../../src/pipeline/bus.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import accessPlugin from '../../src/server/access/plugin.js';
import errors from '../../src/server/plugins/errors.js';
import sourceRegion from '../../src/server/plugins/source-region.js';
import type { Runtime } from '../../src/server/runtime.js';
import { grayFrame } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

/** A frame grabber as the pipeline sees it: whole-screen frames, pushed when the test says. */
class Grabber implements FrameSource {
  readonly driver = 'v4l2';
  #listener: FrameListener | undefined;
  #seq = 0;
  constructor(readonly id: string) {}
  async start(l: FrameListener): Promise<void> {
    this.#listener = l;
  }
  async stop(): Promise<void> {}
  health(): SourceHealth {
    return { driver: this.driver, state: 'running', connected: true, fps: 0, framesDelivered: this.#seq, errors: 0, lastError: undefined };
  }
  push(width: number, height: number): Frame {
    // a grabber's picture declares no pixel spacing (taps over a declared one need overrideDeclaredSpacing: region-declared-spacing.test.ts)
    const f: Frame = { ...grayFrame(this.#seq++, width, height), pixelSpacing: undefined };
    this.#listener?.(f);
    return f;
  }
}

describe('the imaging region of the current source', () => {
  const dir = tempDir('sonoedge-region-');
  const bus = new Bus();
  const store = new RegionStore(join(dir, 'region.json'));
  const pipeline = new Pipeline(bus, [], { regionFor: (s) => store.override(RegionStore.keyOf(s)) });
  const grabber = new Grabber('hdmi');
  const db = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'keys', 'records.key'), {}));
  const access = openAccess(db, loadOrCreateKey(join(dir, 'keys', 'device.secret'), {}, 'sonoedge-device-secret'));
  const token: Record<string, string> = {};
  let app: FastifyInstance;
  let seen: Frame | undefined;
  bus.on('frame', (f) => {
    seen = f;
  });

  const put = (role: string, body: unknown) => app.inject({ method: 'PUT', url: '/api/source/region', payload: body as object, headers: { authorization: `Bearer ${token[role]}` } });
  const get = async (role = 'technician') => (await app.inject({ method: 'GET', url: '/api/source/region', headers: { authorization: `Bearer ${token[role]}` } })).json() as Record<string, unknown>;

  beforeAll(async () => {
    for (const role of ['clinician', 'technician'] as const) {
      await access.users.add(role, role, role === 'clinician' ? '482913' : 'technician-pass-1');
      token[role] = access.tokens.create(role).token;
    }
    app = Fastify() as unknown as FastifyInstance;
    await app.register(accessPlugin, { services: access, secure: false, names: deviceNames(), maxWebSockets: 4, rateLimit: { max: 10_000, windowMs: 60_000, signInMax: 100 } });
    app.decorate('sono', { pipeline, bus, dataDir: dir, regions: store, db, sync: undefined } as unknown as Runtime);
    await app.register(errors, { features: [sourceRegion] });
    await app.ready();
    await pipeline.start(grabber);
  });
  afterAll(async () => {
    await app.close();
    await pipeline.stop();
    db.close();
  });

  it('a grabber frame without a region is marked unset, and GET says its captures are not sent', async () => {
    grabber.push(640, 480);
    expect(seen!.region).toEqual({ x: 0, y: 0, width: 640, height: 480, origin: 'unset' });
    const s = await get('clinician');
    expect(s).toMatchObject({ origin: 'unset', region: null, reason: 'SONO_REGION_NOT_SET', frame: { width: 640, height: 480 } });
  });

  it('refuses a clinician, an off-frame rectangle and a degenerate one, changing nothing', async () => {
    const byClinician = await put('clinician', { rect: { x: 80, y: 40, width: 480, height: 400 } });
    expect(byClinician.statusCode).toBe(403);
    expect(byClinician.json()).toMatchObject({ code: 'SONO_ACCESS_FORBIDDEN' });
    const off = await put('technician', { rect: { x: 300, y: 40, width: 480, height: 400 } });
    expect(off.statusCode).toBe(400);
    expect(off.json()).toMatchObject({ code: 'SONO_REGION_INVALID', details: { frameWidth: 640, frameHeight: 480 } });
    const flat = await put('technician', { rect: { x: 10, y: 10, width: 300, height: 2 } });
    expect(flat.json()).toMatchObject({ code: 'SONO_REGION_INVALID' });
    const badFan = await put('technician', { fan: { apexX: 320, apexY: 20, innerRadius: 50, outerRadius: 40, startAngleDeg: -35, endAngleDeg: 35 } });
    expect(badFan.json()).toMatchObject({ code: 'SONO_REGION_INVALID' });
    expect((await get()).origin).toBe('unset');
    grabber.push(640, 480);
    expect(seen!.region.origin).toBe('unset');
  });

  it('a technician sets a rectangle with depth-scale taps: kept in region.json, applied to frames of that size only', async () => {
    const r = await put('technician', { rect: { x: 80, y: 40, width: 480, height: 400 }, scale: { x1: 600, y1: 50, x2: 600, y2: 450, distanceMm: 100 } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ origin: 'set', region: { x: 80, y: 40, width: 480, height: 400 }, pixelSpacing: { x: 0.25, y: 0.25 }, setBy: 'technician' });
    grabber.push(640, 480);
    expect(seen!.region).toEqual({ x: 80, y: 40, width: 480, height: 400, origin: 'set' });
    expect(seen!.pixelSpacing).toEqual({ x: 0.25, y: 0.25 });
    grabber.push(800, 600); // the grabber's resolution changed: that region means nothing here
    expect(seen!.region.origin).toBe('unset');
    const file = JSON.parse(readFileSync(join(dir, 'region.json'), 'utf8')) as { sources: Record<string, { region: unknown; frame: unknown }> };
    expect(file.sources['v4l2:hdmi']).toMatchObject({ region: { x: 80, y: 40, width: 480, height: 400 }, frame: { width: 640, height: 480 } });
    // a restart reads it back, and the source's next start puts it in force
    const again = new RegionStore(join(dir, 'region.json'));
    expect(again.override('v4l2:hdmi')?.region).toEqual({ x: 80, y: 40, width: 480, height: 400, origin: 'set' });
    expect(access.audit.list().some((a) => a.action === 'source.region.set' && a.user === 'technician' && a.target === 'v4l2:hdmi')).toBe(true);
  });

  it('a fan gives its bounding rectangle; clear goes back to unset', async () => {
    grabber.push(640, 480);
    const r = await put('technician', { fan: { apexX: 320, apexY: 30, innerRadius: 20, outerRadius: 420, startAngleDeg: -35, endAngleDeg: 35 } });
    expect(r.statusCode, r.body).toBe(200);
    const b = (r.json() as { region: { x: number; y: number; width: number; height: number } }).region;
    // sin 35° · 420 = 240.9 px each side of the apex; the arc's lowest point is straight down at 30 + 420
    expect(b).toEqual({ x: 79, y: 46, width: 482, height: 404 });
    const cleared = await put('technician', { clear: true });
    expect(cleared.json()).toMatchObject({ origin: 'unset', region: null });
    grabber.push(640, 480);
    expect(seen!.region.origin).toBe('unset');
    expect(new RegionStore(join(dir, 'region.json')).get('v4l2:hdmi')).toBeUndefined();
  });
});
