/**
 * GET /api/health is public (systemd-style probes and the sign-in screen read it before anyone signs in), so what
 * it says depends on who asks, against a real daemon: a client with no account (or a bad token) and a clinician
 * get readiness, models, source and counters, never the data folder's path, the host's disk sizes or an error
 * text (which names files: here a replay image named like a patient); a technician and an admin get all of it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthDto } from '../../src/protocol/rest/index.js';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

const PATIENT_FILE = 'DOE^JANE-1984-03-02.png';

describe('GET /api/health by who asks', () => {
  const dir = tempDir();
  const media = join(dir, 'media');
  let d: TestDaemon;
  const headers: Record<string, Record<string, string>> = { 'no account': { authorization: '' }, 'a bad token': { authorization: 'Bearer not-a-token' } };
  const health = async (who: string): Promise<{ status: number; cache: string | null; body: HealthDto; text: string }> => {
    const r = await fetch(d.url + '/api/health', { headers: headers[who] });
    const text = await r.text();
    return { status: r.status, cache: r.headers.get('cache-control'), body: JSON.parse(text) as HealthDto, text };
  };

  beforeAll(async () => {
    mkdirSync(media);
    // one good image and one that is not an image: the source keeps running, its lastError names the file
    await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 50, g: 50, b: 50 } } })
      .png()
      .toFile(join(media, 'a.png'));
    writeFileSync(join(media, PATIENT_FILE), 'not an image');
    d = await startTestDaemon(dir, { source: { driver: 'replay' }, drivers: { replay: { path: media, fps: 20 } } }, [[['inference', 'warmupRuns'], 0]]);
    for (const role of ['clinician', 'technician', 'admin'] as const) headers[role] = (await addTokenUser(d.runtime.access.services, role, `health-${role}`)).headers;
    await until(
      () => health('admin'),
      (h) => h.status === 200 && (h.body.source?.framesDelivered ?? 0) > 0 && (h.body.source?.lastError ?? '').includes(PATIENT_FILE),
      30_000,
      'replay running with a decode error',
    );
  }, 90_000);
  afterAll(async () => d?.close());

  for (const who of ['no account', 'a bad token', 'clinician']) {
    it(`${who}: readiness, models, source and counters; no path, disk or error text`, async () => {
      const h = await health(who);
      expect(h.status).toBe(200);
      expect(h.cache).toBe('no-store');
      // what the contracts read without credentials (config-reload, watchdog, health-service tests; the README)
      expect(h.body).toMatchObject({ status: 'ok', provider: 'cpu', uptimeSeconds: expect.any(Number) });
      expect(h.body.models.map((m) => [m.id, typeof m.version])).toEqual([
        ['fetal-head', 'string'],
        ['enhance', 'string'],
      ]);
      expect(h.body.source).toEqual({ driver: 'replay', state: 'running', connected: expect.any(Boolean), fps: expect.any(Number), framesDelivered: expect.any(Number), errors: expect.any(Number) });
      expect(h.body.source!.errors).toBeGreaterThan(0);
      expect(h.body.pipeline).toMatchObject({ framesIn: expect.any(Number), framesRejected: 0, framesSkipped: expect.any(Object) });
      for (const m of h.body.models) for (const a of m.attempts) expect(Object.keys(a).sort()).toEqual(['ok', 'provider']);
      expect(h.body).not.toHaveProperty('disk');
      expect(h.body).not.toHaveProperty('error');
      expect(h.text).not.toContain(dir);
      expect(h.text).not.toContain('DOE');
      expect(h.text).not.toMatch(/"(lastError|lastRejected|lastSourceFault|lastUnattributed|reason)"/);
    });
  }

  for (const who of ['technician', 'admin']) {
    it(`${who}: all of it, the data folder and the error naming the file included`, async () => {
      const h = await health(who);
      expect(h.status).toBe(200);
      expect(h.body.disk).toMatchObject({ path: join(dir, 'data'), freeBytes: expect.any(Number), totalBytes: expect.any(Number), level: 'ok' });
      expect(h.body.source!.lastError).toContain(join(media, PATIENT_FILE));
      expect(h.body.models[0]!.attempts.length).toBeGreaterThan(0);
    });
  }
});
