/**
 * Per-driver decode and hand-off cost (issue 7): frames per second each driver sustains alone, at
 * 640×480 and 1280×720, measured as CPU time per frame on this machine (1000 / ms = fps on one core).
 * Run with `npm run bench` (called from bench/run.ts) or alone: `npx tsx bench/drivers.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SimulatedProbe } from '../drivers/simulated/probe.js';
import { IgtlStreamParser, decodeImage, encodeImageMessage } from '../drivers/igtl/protocol.js';
import { FrameAssembler } from '../drivers/usb/frame-assembler.js';
import { readDicomClip } from '../drivers/dicom/dicom.js';
import { writePart10 } from '../src/sync/dicom-file.js';
import { buildUsImage } from '../src/sync/us-image.js';
import { newUid } from '../src/sync/uids.js';

function cpuMsPer(n: number, fn: (i: number) => void): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}

async function cpuMsPerAsync(n: number, fn: (i: number) => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}

export async function benchDrivers(): Promise<Array<{ driver: string; size: string; msPerFrame: number; fpsOneCore: number }>> {
  const out: Array<{ driver: string; size: string; msPerFrame: number; fpsOneCore: number }> = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-drivers-'));
  try {
    for (const [w, h] of [
      [640, 480],
      [1280, 720],
    ] as const) {
      const size = `${w}×${h}`;
      const probe = new SimulatedProbe('b', { width: w, height: h });
      probe.prepare();
      const px = new Uint8Array(w * h);
      probe.render(0, px);
      const add = (driver: string, ms: number): void => {
        out.push({ driver, size, msPerFrame: ms, fpsOneCore: 1000 / ms });
      };
      add(
        'simulated (render)',
        cpuMsPer(100, (i) => probe.render(i, px)),
      );
      const png = join(dir, `f${w}.png`);
      await sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 1 } })
        .png()
        .toFile(png);
      add(
        'replay (PNG via sharp)',
        await cpuMsPerAsync(30, async () => {
          await sharp(png).greyscale().raw().toBuffer();
        }),
      );
      const dcm = join(dir, `f${w}.dcm`);
      const study = {
        studyInstanceUid: newUid(),
        studyDate: '20260101',
        studyTime: '000000',
        studyId: '',
        accessionNumber: '',
        patient: { name: '', id: '', birthDate: '', sex: '' },
        deviceSerial: '',
        softwareVersion: '',
      };
      const frames = 10;
      const all = new Uint8Array(w * h * frames);
      for (let f = 0; f < frames; f++) all.set(px, f * w * h);
      const ds = buildUsImage(study, {
        seriesInstanceUid: newUid(),
        seriesNumber: 1,
        sopInstanceUid: newUid(),
        instanceNumber: 1,
        contentDate: '20260101',
        contentTime: '000000',
        width: w,
        height: h,
        pixels: all,
        region: { x: 0, y: 0, width: w, height: h },
        pixelSpacingMm: { x: 0.3, y: 0.3 },
        derived: false,
        seriesDescription: '',
        burnedInAnnotation: 'NO',
      });
      Object.assign(ds, { NumberOfFrames: frames, FrameTime: 33 });
      writeFileSync(dcm, writePart10(ds));
      add('dicom (parse multi-frame, per frame)', cpuMsPer(5, () => readDicomClip(dcm)) / frames);
      const msg = encodeImageMessage(px, w, h, { spacing: [0.3, 0.3] });
      const parser = new IgtlStreamParser();
      add(
        'igtl (CRC-64 + IMAGE decode)',
        cpuMsPer(30, () => {
          for (const m of parser.push(msg)) decodeImage(m.content);
        }),
      );
      const marker = Buffer.from('A55AF00F', 'hex');
      const asm = new FrameAssembler(marker, w, h);
      const stream = Buffer.concat([marker, Buffer.from(px), marker]);
      add(
        'usb (reassembly from 64 KB transfers)',
        cpuMsPer(30, () => {
          for (let o = 0; o < stream.length - marker.length; o += 65536) asm.push(stream.subarray(o, Math.min(o + 65536, stream.length - marker.length)));
          asm.push(marker);
        }),
      );
      // v4l2 path: ffmpeg decoding a test source to gray raw frames, CPU of ffmpeg itself (child process)
      const r = spawnSync(
        'bash',
        ['-c', `/usr/bin/time -f %U,%S ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=${w}x${h}:rate=30 -frames:v 150 -vf format=gray -f rawvideo -pix_fmt gray - > /dev/null`],
        { encoding: 'utf8' },
      );
      const m = /([\d.]+),([\d.]+)\s*$/.exec(r.stderr.trim());
      if (r.status === 0 && m) add('v4l2 path (ffmpeg to gray raw, its CPU)', ((Number(m[1]) + Number(m[2])) * 1000) / 150);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1]?.endsWith('drivers.ts')) {
  void benchDrivers().then((rows) => {
    console.log('| driver | size | ms/frame | fps on one core |\n|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.driver} | ${r.size} | ${r.msPerFrame.toFixed(2)} | ${r.fpsOneCore.toFixed(0)} |`);
  });
}
