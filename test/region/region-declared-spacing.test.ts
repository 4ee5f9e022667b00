/**
 * PUT /api/source/region with depth-scale taps on a source that declares its own pixel spacing with every frame
 * (an OpenIGTLink scanner, a DICOM file, the simulated probe). The taps' spacing replaces the declared one in
 * every measurement (src/pipeline/admission.ts: from 'depth-scale'); the region editor asks first, but the route
 * took the taps from any client without a word (session 14: "the region route does not enforce the question").
 * Now such taps need `overrideDeclaredSpacing: true`: without it 409 SONO_SPACING_OVERRIDE_UNCONFIRMED and nothing
 * stored; with it they are kept and the audit row says a declared spacing was replaced. A rectangle alone (the
 * issue-21 contract) is taken as before. Through the real access plugin (technician token, audit trail), a real
 * pipeline built as the daemon builds it (the admission records what each frame declared) and region.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccess } from '../../src/access/access.js';
import { deviceNames } from '../../src/access/device-names.js';
import { noneSeen } from '../../src/capture/calibration-store.js';
import type { Frame } from '../../src/capture/frame.js';
import { RegionStore } from '../../src/capture/region-store.js';
import { identityOfSource } from '../../src/capture/source-identity.js';
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

/** A scanner that declares 0.2 mm/px on every frame (grayFrame's spacing), pushed when the test says. */
class Scanner implements FrameSource {
  readonly driver = 'igtl';
  readonly id = 'scanner-1';
  #listener: FrameListener | undefined;
  #seq = 0;
  async start(l: FrameListener): Promise<void> {
    this.#listener = l;
  }
  async stop(): Promise<void> {}
  health(): SourceHealth {
    return { driver: this.driver, state: 'running', connected: true, fps: 0, framesDelivered: this.#seq, errors: 0, lastError: undefined };
  }
  push(): void {
    this.#listener?.(grayFrame(this.#seq++, 640, 480));
  }
}

const RECT = { x: 80, y: 40, width: 480, height: 400 };
/** 400 px for 100 mm: 0.25 mm/px, where the scanner declares 0.2 */
const TAPS = { x1: 600, y1: 50, x2: 600, y2: 450, distanceMm: 100 };

describe('depth-scale taps over a spacing the source declares', () => {
  const dir = tempDir('sonoedge-region-declared-');
  const bus = new Bus();
  const store = new RegionStore(join(dir, 'region.json'));
  // as src/app/daemon.ts builds it: the admission records what each frame of the source declared (seen.own)
  const pipeline = new Pipeline(bus, [], { calibrationFor: () => ({ seen: noneSeen() }), regionFor: (s) => store.override(RegionStore.keyOf(s)) });
  const scanner = new Scanner();
  const db = openDatabase(join(dir, 'records.db'), loadOrCreateKey(join(dir, 'keys', 'records.key'), {}));
  const access = openAccess(db, loadOrCreateKey(join(dir, 'keys', 'device.secret'), {}, 'sonoedge-device-secret'));
  let token = '';
  let app: FastifyInstance;
  let seen: Frame | undefined;
  bus.on('frame', (f) => {
    seen = f;
  });
  const put = (body: unknown) => app.inject({ method: 'PUT', url: '/api/source/region', payload: body as object, headers: { authorization: `Bearer ${token}` } });
  const stored = (): unknown => (existsSync(join(dir, 'region.json')) ? (JSON.parse(readFileSync(join(dir, 'region.json'), 'utf8')) as { sources: Record<string, unknown> }).sources : {});
  const regionAudits = () => access.audit.list().filter((a) => a.action === 'source.region.set');

  beforeAll(async () => {
    await access.users.add('tech-rita', 'technician', 'technician-pass-1');
    token = access.tokens.create('tech-rita').token;
    app = Fastify() as unknown as FastifyInstance;
    await app.register(accessPlugin, { services: access, secure: false, names: deviceNames(), maxWebSockets: 4, rateLimit: { max: 10_000, windowMs: 60_000, signInMax: 100 } });
    app.decorate('sono', { pipeline, bus, dataDir: dir, regions: store, db, sync: undefined } as unknown as Runtime);
    await app.register(errors, { features: [sourceRegion] });
    await app.ready();
    await pipeline.start(scanner);
    scanner.push();
  });
  afterAll(async () => {
    await app.close();
    await pipeline.stop();
    db.close();
  });

  it('refuses the taps without overrideDeclaredSpacing: true (409, coded, nothing stored, the spacing kept)', async () => {
    expect(seen!.pixelSpacing).toEqual({ x: 0.2, y: 0.2 });
    for (const body of [
      { rect: RECT, scale: TAPS },
      { rect: RECT, scale: TAPS, overrideDeclaredSpacing: false },
    ]) {
      const r = await put(body);
      expect(r.statusCode, r.body).toBe(409);
      const e = r.json() as { code: string; message: string; details: Record<string, unknown> };
      expect(e.code).toBe('SONO_SPACING_OVERRIDE_UNCONFIRMED');
      expect(e.message).toContain('0.200 mm/px');
      expect(e.message).toContain('overrideDeclaredSpacing: true');
      expect(e.details).toMatchObject({ reason: 'source-declares-spacing', declaredMmPerPx: [0.2, 0.2], tapsMmPerPx: [0.25, 0.25] });
    }
    expect(stored()).toEqual({});
    expect(pipeline.regionOverride).toBeUndefined();
    scanner.push();
    expect(seen!.pixelSpacing).toEqual({ x: 0.2, y: 0.2 });
    expect(regionAudits()).toEqual([]);
  });

  it('takes a rectangle alone as before: the source keeps its spacing', async () => {
    const r = await put({ rect: RECT });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ origin: 'set', region: RECT, pixelSpacing: null });
    scanner.push();
    expect(seen!.pixelSpacing).toEqual({ x: 0.2, y: 0.2 });
    expect(regionAudits()[0]!.details).not.toHaveProperty('overrideDeclaredSpacing');
  });

  it('replaces the declared spacing when told, and the audit row says what was replaced', async () => {
    const r = await put({ rect: RECT, scale: TAPS, overrideDeclaredSpacing: true });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ origin: 'set', pixelSpacing: { x: 0.25, y: 0.25 } });
    scanner.push();
    expect(seen!.pixelSpacing).toEqual({ x: 0.25, y: 0.25 });
    const rows = regionAudits().filter((a) => a.details?.overrideDeclaredSpacing === true);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ user: 'tech-rita', target: identityOfSource(scanner).key, outcome: 'ok' });
    expect(row.details).toMatchObject({ overrideDeclaredSpacing: true, declaredMmPerPx: [0.2, 0.2], pixelSpacing: { x: 0.25, y: 0.25 } });
  });

  it('still asks while taps are in force: the frames carry the taps, the source still declares its own', async () => {
    const before = regionAudits().length;
    const r = await put({ rect: RECT, scale: { ...TAPS, distanceMm: 120 } });
    expect(r.statusCode, r.body).toBe(409);
    expect((r.json() as { details: Record<string, unknown> }).details).toMatchObject({ declaredMmPerPx: [0.2, 0.2], tapsMmPerPx: [0.3, 0.3] });
    scanner.push();
    expect(seen!.pixelSpacing).toEqual({ x: 0.25, y: 0.25 }); // what was in force stays
    expect(regionAudits()).toHaveLength(before);
  });
});
