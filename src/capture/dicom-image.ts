/**
 * Ultrasound DICOM files read into 8-bit frames, with the pixel size and imaging region they declare: the
 * dicom driver plays them, `sonoedge analyze` measures on them. Uncompressed (implicit/explicit VR little
 * endian) is read here; JPEG baseline and extended (what scanners write to a USB stick) is decompressed
 * first by dcmtk's `dcmdjpeg`, as a child process into a temp file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import dcmjs from 'dcmjs';
import { errorMessage } from '../errors.js';
import type { ImagingRegion, PixelSpacing } from './frame.js';

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);
/** JPEG Baseline (Process 1) and Extended (Process 2 & 4): dcmdjpeg decodes both. */
const JPEG = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);

export interface DicomClip {
  file: string;
  width: number;
  height: number;
  channels: 1 | 3;
  frames: Uint8Array[];
  frameTimeMs: number | undefined;
  /** Undefined when the file declares no pixel size (no ultrasound region in cm, no Pixel Spacing). */
  spacing: PixelSpacing | undefined;
  region: ImagingRegion;
}

type Ds = Record<string, unknown>;
const num = (v: unknown): number | undefined => (Array.isArray(v) ? num(v[0]) : v === undefined || v === null || v === '' ? undefined : Number(v));

/**
 * Spacing and imaging region from the Sequence of Ultrasound Regions (a 2D tissue region in cm: Physical
 * Units 3), else Pixel Spacing over the whole frame. A region the file declares has origin `source`.
 */
export function spacingOf(ds: Ds, width: number, height: number): { spacing: PixelSpacing | undefined; region: ImagingRegion } {
  const regions = (ds.SequenceOfUltrasoundRegions as Ds[] | undefined) ?? [];
  const r = regions.find((x) => num(x.RegionSpatialFormat) === 1 && num(x.PhysicalUnitsXDirection) === 3 && num(x.PhysicalUnitsYDirection) === 3);
  if (r) {
    const x0 = num(r.RegionLocationMinX0) ?? 0;
    const y0 = num(r.RegionLocationMinY0) ?? 0;
    const x1 = Math.min(width - 1, num(r.RegionLocationMaxX1) ?? width - 1);
    const y1 = Math.min(height - 1, num(r.RegionLocationMaxY1) ?? height - 1);
    return { spacing: { x: num(r.PhysicalDeltaX)! * 10, y: num(r.PhysicalDeltaY)! * 10 }, region: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, origin: 'source' } };
  }
  const ps = ds.PixelSpacing as unknown[] | undefined;
  const full = { x: 0, y: 0, width, height };
  return ps && ps.length === 2 ? { spacing: { y: Number(ps[0]), x: Number(ps[1]) }, region: full } : { spacing: undefined, region: full };
}

function parse(buf: Buffer, file: string): { meta: Ds; ds: Ds } {
  try {
    const dict = dcmjs.data.DicomMessage.readFile(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    return { meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta), ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) };
  } catch (err) {
    throw new Error(`${basename(file)} is not a readable DICOM file: ${errorMessage(err)}`, { cause: err });
  }
}

/** The file decompressed by dcmdjpeg (explicit VR little endian), read back. */
function decompressJpeg(file: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sonoedge-dcmdjpeg-'));
  try {
    const out = join(dir, 'plain.dcm');
    const r = spawnSync('dcmdjpeg', ['+te', file, out], { timeout: 60_000, encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error(
        `${basename(file)} is JPEG compressed and dcmdjpeg could not decompress it (${r.error ? errorMessage(r.error) : (r.stderr || `exit ${String(r.status)}`).trim().slice(0, 200)}); install dcmtk or convert the file to uncompressed`,
      );
    }
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a single- or multi-frame ultrasound DICOM into 8-bit frames; throws naming what it cannot read. */
export function readDicomClip(file: string): DicomClip {
  let { meta, ds } = parse(readFileSync(file), file);
  const ts = String(meta.TransferSyntaxUID ?? '');
  if (JPEG.has(ts)) ({ meta, ds } = parse(decompressJpeg(file), file));
  else if (!NATIVE.has(ts))
    throw new Error(
      `${basename(file)} uses transfer syntax ${ts}, which sonoedge does not decode (uncompressed and JPEG baseline are); convert it to uncompressed (e.g. dcmdjpeg or gdcmconv from GDCM)`,
    );
  const width = num(ds.Columns);
  const height = num(ds.Rows);
  const bits = num(ds.BitsAllocated);
  const spp = num(ds.SamplesPerPixel) ?? 1;
  if (!width || !height || !ds.PixelData) throw new Error(`${basename(file)} holds no image (Rows/Columns/Pixel Data missing)`);
  if (spp !== 1 && spp !== 3) throw new Error(`${basename(file)} has ${spp} samples per pixel; 1 or 3 are supported`);
  if (bits !== 8 && bits !== 16) throw new Error(`${basename(file)} has ${bits} bits allocated; 8 or 16 are supported`);
  const nFrames = num(ds.NumberOfFrames) ?? 1;
  const parts = ds.PixelData as ArrayBuffer[];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    all.set(new Uint8Array(p), off);
    off += p.byteLength;
  }
  const perFrame = width * height * spp * (bits / 8);
  if (all.length < perFrame * nFrames) throw new Error(`${basename(file)} pixel data is ${all.length} bytes; ${nFrames} frames of ${width}×${height}×${spp}×${bits} bits need ${perFrame * nFrames}`);
  // dcmdjpeg writes YBR_FULL colour back as RGB; planar configuration is honoured either way
  const planar = spp === 3 && num(ds.PlanarConfiguration) === 1;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < nFrames; f++) frames.push(toEightBit(all.subarray(f * perFrame, (f + 1) * perFrame), bits, planar ? width * height : 0));
  const frameTime = num(ds.FrameTime) ?? (num(ds.CineRate) ? 1000 / num(ds.CineRate)! : num(ds.RecommendedDisplayFrameRate) ? 1000 / num(ds.RecommendedDisplayFrameRate)! : undefined);
  const { spacing, region } = spacingOf(ds, width, height);
  return { file, width, height, channels: spp as 1 | 3, frames, frameTimeMs: frameTime, spacing, region };
}

/** One frame as 8-bit samples (16-bit scaled to its maximum), colour planes interleaved when `planeSize` > 0. */
function toEightBit(src: Uint8Array, bits: number, planeSize: number): Uint8Array {
  let out: Uint8Array;
  if (bits === 16) {
    const v = new Uint16Array(src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength));
    let hi = 1;
    for (const x of v) if (x > hi) hi = x;
    out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Math.round((v[i]! * 255) / hi);
  } else out = Uint8Array.from(src);
  if (planeSize === 0) return out;
  const inter = new Uint8Array(3 * planeSize);
  for (let i = 0; i < planeSize; i++) {
    inter[3 * i] = out[i]!;
    inter[3 * i + 1] = out[planeSize + i]!;
    inter[3 * i + 2] = out[2 * planeSize + i]!;
  }
  return inter;
}
