import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

describe('switching the source without a restart', () => {
  it('switches to replay, refuses a broken source while the old one keeps running', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'frames'));
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40, g: 40, b: 40 } } }).png().toFile(join(dir, 'frames', 'a.png'));
    // paths from a network client must lie under a media folder (issue 17): the test's folder is one
    const d = await startTestDaemon(dir, { media: { folders: [dir], removable: false } });
    try {
      await waitForHealth(d.url, 200);
      const put = async (body: unknown): Promise<{ status: number; body: { message?: string; driver?: string } }> => {
        const r = await fetch(d.url + '/api/source', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: r.status, body: (await r.json()) as { message?: string; driver?: string } };
      };
      mkdirSync(join(dir, 'empty'));
      const bad = await put({ driver: 'replay', settings: { path: join(dir, 'empty') } }); // passes the network checks, fails to start
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/could not start: Replay folder .*empty holds no PNG or JPEG images/);
      expect(((await (await fetch(d.url + '/api/health')).json()) as { source: { driver: string; state: string } }).source).toMatchObject({ driver: 'simulated', state: 'running' });
      const unknown = await put({ driver: 'nope' });
      expect(unknown.body.message).toMatch(/supported drivers: dicom, igtl, replay, simulated, usb, v4l2/);
      const ok = await put({ driver: 'replay', settings: { path: join(dir, 'frames'), fps: 20 } });
      expect(ok.status).toBe(200);
      for (let i = 0; i < 40; i++) {
        const h = (await (await fetch(d.url + '/api/health')).json()) as { source: { driver: string; framesDelivered: number } };
        if (h.source.driver === 'replay' && h.source.framesDelivered > 3) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('replay never delivered frames');
    } finally {
      await d.close();
    }
  });
});
