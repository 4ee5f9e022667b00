/**
 * Replay of videos whose frames are not the size ffprobe reports for the stream: a 90° display rotation
 * (phones and some recorders write it; ffmpeg turns the picture, 320×240 becomes 240×320) and a clip whose
 * size changes midway (two recordings joined). Before, frames were cut from ffmpeg's byte stream at the
 * probed size: the rotated clip came out as scrambled 320×240 frames and the joined one had its 640-wide
 * half squeezed to 320 with the same pixel spacing, both without an error. Real videos made here by ffmpeg.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ReplaySource } from '../../drivers/replay/replay.js';
import type { Frame } from '../../src/capture/frame.js';
import { collectFrames } from '../helpers/collect.js';
import { tempDir } from '../helpers/tmp.js';

const ffmpeg = (args: string[]): void => {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
};
const hasX264 = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout?.includes('libx264') ?? false;

describe.skipIf(!hasX264)('replay: video frames at their true size', () => {
  const dir = tempDir();

  it('plays a clip with a 90° display rotation turned, as a player shows it, not scrambled', async () => {
    const plain = join(dir, 'plain.mp4');
    const rotated = join(dir, 'rotated.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', plain]);
    ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height:stream_side_data=rotation', '-of', 'compact', rotated], { encoding: 'utf8' }).stdout;
    expect(probe).toMatch(/width=320\|height=240/);
    expect(probe).toMatch(/rotation=-?90/);
    // ffmpeg's own decode of the first frame, turned (what a player shows)
    const first = join(dir, 'first.gray');
    ffmpeg(['-i', rotated, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', first]);
    const frames = await collectFrames(new ReplaySource('r', { path: rotated, fps: 10, loop: false, pixelSpacingMm: 0.2 }), 3);
    expect([frames[0]!.width, frames[0]!.height]).toEqual([240, 320]);
    expect(frames[0]!.region).toEqual({ x: 0, y: 0, width: 240, height: 320 });
    expect(Buffer.from(frames[0]!.data).equals(readFileSync(first))).toBe(true);
  });

  it('stops a clip whose frames change size, with the reason, instead of rescaling them', async () => {
    const a = join(dir, 'a.ts');
    const b = join(dir, 'b.ts');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', a]);
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=640x240:rate=10', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', b]);
    const joined = join(dir, 'joined.ts');
    writeFileSync(joined, Buffer.concat([readFileSync(a), readFileSync(b)])); // two recordings back to back
    const sizes = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=width,height', '-of', 'csv=p=0', joined], { encoding: 'utf8' }).stdout;
    expect(sizes).toMatch(/640,240/);
    const src = new ReplaySource('r', { path: joined, fps: 10, loop: false, pixelSpacingMm: 0.2 });
    const got: Frame[] = [];
    await src.start((f) => got.push(f));
    await vi.waitFor(() => expect(src.health().state).not.toBe('running'), { timeout: 15_000, interval: 50 });
    const h = src.health();
    await src.stop();
    expect(h.state).toBe('failed');
    expect(h.lastError).toMatch(/changes frame size after \d+ frames \(from 320×240 to a frame of 153600 pixels\); sonoedge does not rescale it.*\(SONO_REPLAY_UNREADABLE\)/);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(10); // only the 320×240 part (10 frames at 10 fps)
    expect(got.every((f) => f.width === 320 && f.height === 240)).toBe(true);
  });
});
