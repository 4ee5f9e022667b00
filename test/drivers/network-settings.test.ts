/**
 * Driver settings that arrive over the network (PUT /api/source) pass each driver's allow-list: the
 * attacks of issue 17 (raw ffmpeg arguments, files outside the media folders, `..`, a link out, a CSV
 * error quoting a secret file) each refused with its code. Real files, folders and links in a temp folder.
 */
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinDrivers } from '../../drivers/index.js';
import { ReplaySource } from '../../drivers/replay/replay.js';
import { type NetworkCheckOptions, checkNetworkSettings, mediaRoots } from '../../src/capture/network-settings.js';
import { isInside } from '../../src/capture/media-path.js';
import { SourceRegistry } from '../../src/capture/registry.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { collectFrames } from '../helpers/collect.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'device-secret-5f0c2a9e71d4';

/** The coded error `fn` throws (fails the test when it throws none or an uncoded one). */
function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof SonoError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a SonoError, nothing was thrown');
}

describe('settings from the network pass the driver allow-list', () => {
  const root = realpathSync(tempDir());
  const media = join(root, 'media');
  const outside = join(root, 'data'); // stands for the data directory: keys, records
  const registry = builtinDrivers();
  const opts: NetworkCheckOptions = { policyOf: (d) => registry.networkPolicy(d), mediaRoots: [media], drivers: registry.names() };
  const check = (driver: string, settings: Record<string, unknown>): Record<string, unknown> => checkNetworkSettings(driver, settings, opts);

  beforeAll(async () => {
    mkdirSync(join(media, 'scans'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'device.key'), `${SECRET}\n`);
    writeFileSync(join(outside, 'sizes.csv'), 'filename,pixel size(mm)\na.png,0.1\n');
    const png = (file: string): Promise<unknown> => sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(file);
    await png(join(media, 'scans', 'a.png'));
    await png(join(outside, 'patient.png'));
    symlinkSync(outside, join(media, 'escape')); // a folder link out of the media folders
    symlinkSync(join(outside, 'patient.png'), join(media, 'scans', 'b.png')); // a file link out, inside a played folder
    writeFileSync(join(media, 'secret-as-csv.csv'), `${SECRET}\nline two\n`);
    writeFileSync(join(media, 'bad-line.csv'), `filename,pixel size(mm)\na.png,0.1\n${SECRET},x\n`);
  });

  it('refuses raw ffmpeg arguments for v4l2, and a device that is not a capture node', () => {
    const raw = codeOf(() => check('v4l2', { ffmpegInput: ['-f', 'lavfi', '-i', 'testsrc', '-y', '/tmp/out.mp4'] }));
    expect(raw.code).toBe(ErrorCodes.SOURCE_SETTINGS_REFUSED);
    expect(raw.message).toMatch(/does not take "ffmpegInput" over the network/);
    expect(codeOf(() => check('v4l2', { device: '/etc/passwd' })).code).toBe(ErrorCodes.SOURCE_SETTINGS_INVALID);
    expect(codeOf(() => check('v4l2', { inputFormat: 'mjpeg -y /tmp/x' })).code).toBe(ErrorCodes.SOURCE_SETTINGS_INVALID);
    expect(codeOf(() => check('v4l2', { width: 100000 })).code).toBe(ErrorCodes.SOURCE_SETTINGS_INVALID);
    expect(check('v4l2', { device: '/dev/video2', width: 1280, height: 720, fps: 30, inputFormat: 'mjpeg' })).toEqual({ device: '/dev/video2', width: 1280, height: 720, fps: 30, inputFormat: 'mjpeg' });
  });

  it('refuses a path outside the media folders, without touching it', () => {
    const r = codeOf(() => check('replay', { path: outside }));
    expect(r.code).toBe(ErrorCodes.MEDIA_PATH_REFUSED);
    expect(r.message).toContain('is not under a media folder');
    expect(codeOf(() => check('replay', { path: join(outside, 'no-such-folder') })).code).toBe(ErrorCodes.MEDIA_PATH_REFUSED); // not "missing": no oracle
    expect(codeOf(() => check('dicom', { path: '/etc' })).code).toBe(ErrorCodes.MEDIA_PATH_REFUSED);
    expect(codeOf(() => check('replay', { path: 'scans' })).code).toBe(ErrorCodes.MEDIA_PATH_REFUSED); // relative
    expect(codeOf(() => check('replay', { path: `${media}-evil` })).code).toBe(ErrorCodes.MEDIA_PATH_REFUSED); // a sibling with the same prefix
  });

  it('refuses `..` climbing out of a media folder', () => {
    const r = codeOf(() => check('replay', { path: `${media}/scans/../../data` }));
    expect(r.code).toBe(ErrorCodes.MEDIA_PATH_REFUSED);
    expect(codeOf(() => check('replay', { path: join(media, 'scans'), pixelSizeCsv: `${media}/../data/sizes.csv` })).code).toBe(ErrorCodes.MEDIA_PATH_REFUSED);
  });

  it('refuses a link that leads out of the media folders', () => {
    const r = codeOf(() => check('replay', { path: join(media, 'escape') }));
    expect(r.code).toBe(ErrorCodes.MEDIA_PATH_REFUSED);
    expect(r.message).toContain('leads out of the media folders');
    expect(codeOf(() => check('replay', { path: join(media, 'scans'), pixelSizeCsv: join(media, 'escape', 'sizes.csv') })).code).toBe(ErrorCodes.MEDIA_PATH_REFUSED);
  });

  it('says a missing path under a media folder is missing', () => {
    expect(codeOf(() => check('replay', { path: join(media, 'not-plugged-in') })).code).toBe(ErrorCodes.MEDIA_PATH_MISSING);
  });

  it('a folder picked over the network plays no link out of it', async () => {
    const cleaned = check('replay', { path: join(media, 'scans'), fps: 50 });
    expect(cleaned).toEqual({ path: join(media, 'scans'), fps: 50, followLinks: false, plainVideoOnly: true });
    const src = new ReplaySource('r', cleaned);
    await collectFrames(src, 2);
    expect(src.files).toEqual([join(media, 'scans', 'a.png')]);
    const fromConfig = new ReplaySource('r', { path: join(media, 'scans'), fps: 50 }); // a config file keeps its full power
    await collectFrames(fromConfig, 1);
    expect(fromConfig.files).toEqual([join(media, 'scans', 'a.png'), join(media, 'scans', 'b.png')]);
    expect(codeOf(() => check('replay', { path: join(media, 'scans'), followLinks: true })).code).toBe(ErrorCodes.SOURCE_SETTINGS_REFUSED);
  });

  it('a CSV error names the file and line but never quotes the file', () => {
    const cleaned = check('replay', { path: join(media, 'scans'), pixelSizeCsv: join(media, 'secret-as-csv.csv') });
    const header = codeOf(() => new ReplaySource('r', cleaned));
    expect(header.code).toBe(ErrorCodes.PIXEL_SIZE_CSV_INVALID);
    expect(header.message).toContain('secret-as-csv.csv');
    expect(header.message).toContain('line 1');
    expect(header.message).not.toContain(SECRET);
    const line = codeOf(() => new ReplaySource('r', check('replay', { path: join(media, 'scans'), pixelSizeCsv: join(media, 'bad-line.csv') })));
    expect(line.message).toMatch(/bad-line\.csv line 3 /);
    expect(line.message).not.toContain(SECRET);
    // and from a config file, pointed straight at a key: the same rule
    const key = codeOf(() => new ReplaySource('r', { path: join(media, 'scans'), pixelSizeCsv: join(outside, 'device.key') }));
    expect(key.message).not.toContain(SECRET);
  });

  it('refuses an unknown driver, a driver without a network policy, and values out of bounds', () => {
    expect(codeOf(() => check('v4l3', {})).code).toBe(ErrorCodes.SOURCE_UNKNOWN);
    const bare = new SourceRegistry().register('plain', () => { throw new Error('not built in this test'); });
    const none = codeOf(() => checkNetworkSettings('plain', { x: 1 }, { policyOf: (d) => bare.networkPolicy(d), mediaRoots: [media] }));
    expect(none.code).toBe(ErrorCodes.SOURCE_SETTINGS_REFUSED);
    expect(codeOf(() => check('replay', { path: join(media, 'scans'), fps: 1000 })).code).toBe(ErrorCodes.SOURCE_SETTINGS_INVALID);
    expect(codeOf(() => check('simulated', { width: 8 })).code).toBe(ErrorCodes.SOURCE_SETTINGS_INVALID);
    expect(codeOf(() => check('igtl', { host: 'evil; rm -rf /' })).code).toBe(ErrorCodes.SOURCE_SETTINGS_INVALID);
    expect(check('simulated', { fps: 15, geometry: 'linear' })).toEqual({ fps: 15, geometry: 'linear' });
  });

  it('media roots: the configured folders and, unless switched off, removable media mounts', () => {
    expect(mediaRoots({ folders: ['/srv/scans'], removable: true })).toEqual(['/srv/scans', '/media', '/run/media']);
    expect(mediaRoots({ folders: ['/srv/scans'], removable: false })).toEqual(['/srv/scans']);
    expect(isInside('/media/usb/x', '/media')).toBe(true);
    expect(isInside('/media', '/media')).toBe(true);
    expect(isInside('/mediax/y', '/media')).toBe(false);
    expect(isInside('/', '/media')).toBe(false);
  });
});
