import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/app/daemon.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUserIn, authorizeRequestsTo } from '../helpers/auth.js';
import { copyShippedModels, tempDir } from '../helpers/tmp.js';

const silent = pino({ level: 'silent' });

describe('daemon start-up', () => {
  it('answers 503 "starting" until the sessions are warm', async () => {
    const t = await buildTestApp();
    t.runtime.state.ready = false; // as the daemon's Runtime is while its sessions load
    try {
      const r = await t.app.inject({ method: 'GET', url: '/api/health' });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ status: 'starting', models: [] });
    } finally {
      await t.close();
    }
  });

  it('refuses to start on a corrupt model file, naming it, and frees its port', async () => {
    const dir = tempDir();
    const models = copyShippedModels(dir);
    const m = JSON.parse(readFileSync(join(models, 'fetal-head', 'manifest.json'), 'utf8')) as { files: Array<{ path: string; precision: string }> };
    const u8 = m.files.find((f) => f.precision === 'int8-qdq-u8')!.path;
    writeFileSync(join(models, 'fetal-head', u8), 'garbage');
    const loaded = loadConfig(undefined, { env: {}, overrides: [[['modelsDir'], models], [['server', 'port'], 0], [['dataDir'], join(dir, 'data')], [['inference', 'providers'], ['cpu']]] });
    await expect(startDaemon(loaded, { logger: silent })).rejects.toThrow(new RegExp(`${u8} is corrupt: SHA-256`));
  });

  it('refuses an unknown source driver with the list of supported ones', async () => {
    const dir = tempDir();
    const loaded = loadConfig(undefined, { env: {}, overrides: [[['source', 'driver'], 'v4l9'], [['server', 'port'], 0], [['dataDir'], join(dir, 'data')], [['inference', 'warmupRuns'], 0]] });
    await expect(startDaemon(loaded, { logger: silent })).rejects.toThrow(/Unknown source driver "v4l9"; supported drivers: dicom, igtl, replay, simulated, usb, v4l2/);
  });
});

describe('a source that cannot start', () => {
  it('does not take the daemon down: health names the problem and another source can be switched in', async () => {
    const dir = tempDir();
    const d = await startDaemon(loadConfig(undefined, { env: {}, overrides: [[['source', 'driver'], 'replay'], [['drivers'], { replay: { path: join(dir, 'no-such-folder') } }], [['server', 'port'], 0], [['dataDir'], join(dir, 'data')], [['inference', 'warmupRuns'], 0]] }), { logger: silent });
    try {
      authorizeRequestsTo(d.url, await addTokenUserIn(join(dir, 'data')));
      const h = (await (await fetch(d.url + '/api/health')).json()) as { status: string; source: { state: string; lastError: string } };
      expect(h.status).toBe('ok');
      expect(h.source.state).toBe('failed');
      expect(h.source.lastError).toMatch(/Source "replay" failed to start: Replay path .*no-such-folder does not exist/);
      const r = await fetch(d.url + '/api/source', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ driver: 'simulated', settings: {} }) });
      expect(r.status).toBe(200);
      const h2 = (await (await fetch(d.url + '/api/health')).json()) as { source: { driver: string; state: string } };
      expect(h2.source).toMatchObject({ driver: 'simulated', state: 'running' });
    } finally {
      await d.close();
    }
  });
});
