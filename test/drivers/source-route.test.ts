/**
 * PUT /api/source through the real fastify app (buildApp + inject, real driver registry): the attacks of
 * issue 17's first paragraph are refused with their codes before any driver is built, and a folder under
 * a media folder still switches the source. (On the main of issue 17 raw ffmpeg arguments were taken and
 * the CSV error echoed the file's first line.)
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinDrivers } from '../../drivers/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { type TestApp, buildTestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'db-key-0c9b1e77aa43';

describe('PUT /api/source: settings from the network', () => {
  const root = realpathSync(tempDir());
  const media = join(root, 'media');
  let t: TestApp;

  beforeAll(async () => {
    mkdirSync(join(media, 'scans'), { recursive: true });
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 80, g: 80, b: 80 } } }).png().toFile(join(media, 'scans', 'a.png'));
    writeFileSync(join(root, 'db.key'), `${SECRET}\n`);
    writeFileSync(join(media, 'key-copy.csv'), `${SECRET}\n`);
    t = await buildTestApp();
    t.runtime.networkPolicy ??= (d) => builtinDrivers().networkPolicy(d);
    t.runtime.config.media.folders.push(media);
  });

  const put = async (body: object): Promise<{ status: number; body: { code?: string; message?: string; driver?: string; state?: string } }> => {
    const r = await t.app.inject({ method: 'PUT', url: '/api/source', payload: body });
    return { status: r.statusCode, body: r.json() };
  };

  it('refuses raw ffmpeg arguments', async () => {
    const r = await put({ driver: 'v4l2', settings: { ffmpegInput: ['-f', 'lavfi', '-i', 'testsrc', '-y', join(root, 'written.mp4')] } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(ErrorCodes.SOURCE_SETTINGS_REFUSED);
  });

  it('refuses files outside the media folders, `..` and relative paths', async () => {
    for (const path of [root, `${media}/../`, '/etc', 'scans']) {
      const r = await put({ driver: 'replay', settings: { path } });
      expect([r.status, r.body.code], path).toEqual([400, ErrorCodes.MEDIA_PATH_REFUSED]);
    }
    const csv = await put({ driver: 'replay', settings: { path: join(media, 'scans'), pixelSizeCsv: join(root, 'db.key') } });
    expect(csv.body.code).toBe(ErrorCodes.MEDIA_PATH_REFUSED);
    expect(JSON.stringify(csv.body)).not.toContain(SECRET);
  });

  it('a CSV error inside the media folders names the file, never its content', async () => {
    const r = await put({ driver: 'replay', settings: { path: join(media, 'scans'), pixelSizeCsv: join(media, 'key-copy.csv') } });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('key-copy.csv');
    expect(JSON.stringify(r.body)).not.toContain(SECRET);
  });

  it('switches to a folder under a media folder', async () => {
    const r = await put({ driver: 'replay', settings: { path: join(media, 'scans'), fps: 5 } });
    expect(r).toEqual({ status: 200, body: { driver: 'replay', state: 'running' } });
  });
});
