/**
 * Reading a JPEG-compressed DICOM never holds the event loop. Before: `sonoedge analyze` ran dcmdjpeg with
 * spawnSync (the process frozen for the whole decode), and every reader first parsed the whole compressed file
 * with dcmjs, whose reading of the encapsulated JPEG frames took 23 s (400 frames 640×480: 34 MB) before
 * dcmdjpeg even started: the daemon's /api/health went unanswered 56.7 s and the source missed its 20 s start.
 * A decode we control (a dcmdjpeg on PATH that waits for the test's word) shows the reader is still reading
 * while the test runs; a spy on dcmjs shows the compressed file's Pixel Data is never parsed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleepTurn } from 'node:timers/promises';
import dcmjs from 'dcmjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DicomSource } from '../../drivers/dicom/dicom.js';
import { readDicomFrames } from '../../src/app/analyze/dicom-input.js';
import { readDicomClip, readDicomClipAsync } from '../../src/capture/dicom-image.js';
import { writeCine } from '../drivers/dicom-cine-file.js';
import { tempDir } from '../helpers/tmp.js';

const realDcmdjpeg = spawnSync('sh', ['-c', 'command -v dcmdjpeg'], { encoding: 'utf8' }).stdout.trim();
const hasDcmtk = realDcmdjpeg !== '' && spawnSync('dcmcjpeg', ['--version']).status === 0;

/** Waits (a turn of the timers at a time) until `cond` holds; fails after `limitMs` so a broken reader cannot hang the run. */
async function until(cond: () => boolean, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await sleepTurn(10);
  }
}

describe.skipIf(!hasDcmtk)('JPEG DICOM read without blocking', () => {
  const dir = tempDir();
  const jpeg = join(dir, 'cine-jpeg.dcm');
  const fake = join(dir, 'bin');
  const started = join(dir, 'started');
  const release = join(dir, 'release');
  const path = process.env.PATH;
  beforeAll(() => {
    writeCine(join(dir, 'cine.dcm'), 4, 160, 120);
    execFileSync('dcmcjpeg', ['+eb', join(dir, 'cine.dcm'), jpeg]);
    mkdirSync(fake);
    // a decode we control: says it started, waits for the test's release (or 20 s, so the old blocking reader ends), then decodes
    writeFileSync(join(fake, 'dcmdjpeg'), `#!/bin/sh\ntouch '${started}'\ni=0\nwhile [ ! -f '${release}' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\nexec '${realDcmdjpeg}' "$@"\n`);
    chmodSync(join(fake, 'dcmdjpeg'), 0o755);
  });
  afterEach(() => {
    process.env.PATH = path;
    vi.restoreAllMocks();
    for (const f of [started, release]) if (existsSync(f)) execFileSync('rm', [f]);
  });

  /** Starts `read` with the controlled dcmdjpeg; true when the test ran while dcmdjpeg was decoding and the read was not done. */
  async function readWhileDecoding(read: () => unknown): Promise<{ concurrent: boolean; result: unknown }> {
    process.env.PATH = `${fake}:${path ?? ''}`;
    let done = false;
    const p = Promise.resolve(read()).then((r) => ((done = true), r));
    await until(() => existsSync(started));
    const concurrent = !done;
    writeFileSync(release, '');
    return { concurrent, result: await p };
  }

  it('sonoedge analyze reads a JPEG file while other work goes on, with every frame', async () => {
    const { concurrent, result } = await readWhileDecoding(() => readDicomFrames(jpeg, undefined, 0));
    expect(concurrent).toBe(true); // spawnSync: the decode had finished before the test could look
    const frames = result as Awaited<ReturnType<typeof readDicomFrames>>;
    expect(frames.map((f) => [f.frame.width, f.frame.height, f.index])).toEqual([0, 1, 2, 3].map((i) => [160, 120, i]));
    expect(frames[0]!.frame.pixelSpacing).toEqual({ x: 0.2, y: 0.2 });
  });

  it('the dicom driver starts on a JPEG file while other work goes on', async () => {
    const src = new DicomSource('d', { path: jpeg });
    const frames: number[] = [];
    const { concurrent } = await readWhileDecoding(() => src.start((f) => frames.push(f.width)));
    expect(concurrent).toBe(true);
    await until(() => frames.length > 0);
    expect(src.health().state).toBe('running');
    await src.stop();
  });

  it('never parses the compressed Pixel Data with dcmjs: the header, then the decompressed copy', async () => {
    const size = statSync(jpeg).size;
    const spy = vi.spyOn(dcmjs.data.DicomMessage, 'readFile');
    const clips = [readDicomClip(jpeg), await readDicomClipAsync(jpeg)];
    for (const c of clips) expect([c.width, c.height, c.frames.length]).toEqual([160, 120, 4]);
    const ofCompressed = spy.mock.calls.filter(([buf]) => buf.byteLength === size);
    expect(ofCompressed).toHaveLength(2);
    for (const [, options] of ofCompressed) expect(options).toMatchObject({ untilTag: '7FE00010', includeUntilTagValue: false });
  });
});
