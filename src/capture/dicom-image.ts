/**
 * Ultrasound DICOM files read into 8-bit frames, with the pixel size and imaging region they declare: the
 * dicom driver plays them, `sonoedge analyze` measures on them. Uncompressed (implicit/explicit VR little
 * endian) is read here; JPEG baseline and extended (what scanners write to a USB stick) is decompressed
 * first by dcmtk's `dcmdjpeg`, as a child process into a temp file. The header is read first without the
 * Pixel Data: dcmjs took 23 s (event loop frozen) to read the encapsulated JPEG frames of a 400-frame file
 * that dcmdjpeg decodes in 1 s, and only the decompressed copy's pixels are used.
 */
import { type ExecFileException, execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import dcmjs from 'dcmjs';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
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
  /** A usable frame time from the file (see FRAME_TIME_MS), else undefined. */
  frameTimeMs: number | undefined;
  /** The frame time the file declares when it is outside FRAME_TIME_MS (0, negative, not a number): not used. */
  frameTimeIgnored?: number;
  /** Undefined when the file declares no pixel size (no ultrasound region in cm, no Pixel Spacing). */
  spacing: PixelSpacing | undefined;
  region: ImagingRegion;
}

/** Frame times played as the file says: 240 fps (the fastest the driver plays) to one frame in 10 s. */
export const FRAME_TIME_MS = { min: 1000 / 240, max: 10_000 } as const;

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

/** Stops before Pixel Data: the header alone (transfer syntax, size, frames, regions). */
const HEADER_ONLY = { untilTag: '7FE00010', includeUntilTagValue: false };

function parse(buf: Buffer, file: string, headerOnly = false): { meta: Ds; ds: Ds } {
  try {
    const dict = dcmjs.data.DicomMessage.readFile(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, headerOnly ? HEADER_ONLY : undefined);
    return { meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta), ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) };
  } catch (err) {
    throw new Error(`${basename(file)} is not a readable DICOM file: ${errorMessage(err)}`, { cause: err });
  }
}

/** dcmdjpeg's limits: a file it has not decoded in this time is refused (the child is killed), and what it prints is capped. */
export const DCMDJPEG_LIMITS = { timeoutMs: 60_000, outputBytes: 64 * 1024 } as const;

const dcmdjpegFailed = (file: string, why: string, cause?: unknown): Error =>
  new Error(
    `${basename(file)} is JPEG compressed and dcmdjpeg could not decompress it (${why}); ${/ENOENT/.test(why) ? 'install dcmtk or convert the file to uncompressed' : 'the file may be damaged or cut short'}`,
    { cause },
  );

/** Why dcmdjpeg failed, in words: not installed, too slow (killed), or what it printed. */
function dcmdjpegWhy(err: Error, stderr: string): string {
  const e = err as ExecFileException;
  if (e.code === 'ENOENT') return 'dcmdjpeg not found (ENOENT): dcmtk is not installed';
  if (e.killed || e.signal) return `dcmdjpeg did not finish within ${DCMDJPEG_LIMITS.timeoutMs / 1000} s and was stopped`;
  if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return `dcmdjpeg printed more than ${DCMDJPEG_LIMITS.outputBytes} bytes of messages and was stopped`;
  return oneLine(stderr || errorMessage(err));
}

/** What dcmdjpeg printed, on one line and short. */
const oneLine = (text: string): string =>
  text
    .trim()
    .replace(/\s*\n\s*/g, '; ')
    .slice(0, 200);

/** The file decompressed by dcmdjpeg (explicit VR little endian), read back: blocks (tests and benchmarks only). */
function decompressJpeg(file: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sonoedge-dcmdjpeg-'));
  try {
    const out = join(dir, 'plain.dcm');
    const r = spawnSync('dcmdjpeg', ['+te', file, out], { timeout: DCMDJPEG_LIMITS.timeoutMs, maxBuffer: DCMDJPEG_LIMITS.outputBytes, encoding: 'utf8' });
    if (r.error || r.status !== 0) throw dcmdjpegFailed(file, r.error ? dcmdjpegWhy(r.error, r.stderr) : oneLine(r.stderr || `exit ${String(r.status)}`), r.error);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** As decompressJpeg, without blocking the event loop (dcmdjpeg as a child process with a time and output limit, files read async). */
async function decompressJpegAsync(file: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'sonoedge-dcmdjpeg-'));
  try {
    const out = join(dir, 'plain.dcm');
    await new Promise<void>((resolve, reject) => {
      const limits = { timeout: DCMDJPEG_LIMITS.timeoutMs, killSignal: 'SIGKILL' as const, maxBuffer: DCMDJPEG_LIMITS.outputBytes, encoding: 'utf8' as const };
      execFile('dcmdjpeg', ['+te', file, out], limits, (err, _stdout, stderr) => (err ? reject(dcmdjpegFailed(file, dcmdjpegWhy(err, stderr), err)) : resolve()));
    });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Bytes of 8-bit frames a dataset decodes to (what a player holds in memory), from its header. */
function decodedBytes(ds: Ds): number {
  return (num(ds.Columns) ?? 0) * (num(ds.Rows) ?? 0) * (num(ds.SamplesPerPixel) ?? 1) * (num(ds.NumberOfFrames) ?? 1);
}

function checkBudget(ds: Ds, file: string, budgetBytes: number | undefined): void {
  const need = decodedBytes(ds);
  if (budgetBytes !== undefined && need > budgetBytes) {
    throw new SonoError(
      ErrorCodes.SOURCE_FAILED,
      `${basename(file)} decodes to ${need} bytes of frames, more than the ${budgetBytes} bytes left of the memory budget for DICOM playback; play fewer or shorter files, or raise maxPixelBytes in the config file`,
      { details: { file: basename(file), neededBytes: need, budgetLeftBytes: budgetBytes } },
    );
  }
}

/**
 * Reads a single- or multi-frame ultrasound DICOM into 8-bit frames; throws naming what it cannot read.
 * Blocks on the file and dcmdjpeg: tests and benchmarks; the driver and `analyze` use readDicomClipAsync.
 */
export function readDicomClip(file: string): DicomClip {
  const buf = readFileSync(file);
  const { meta } = parse(buf, file, true);
  return clipOf(parse(JPEG.has(syntaxOf(meta, file)) ? decompressJpeg(file) : buf, file).ds, file);
}

/**
 * As readDicomClip, without blocking the event loop on file reads or dcmdjpeg, and refusing (coded
 * SONO_SOURCE_FAILED, before decoding) a file whose frames would take more than `budgetBytes`.
 */
export async function readDicomClipAsync(file: string, budgetBytes?: number): Promise<DicomClip> {
  const buf = await readFile(file);
  const head = parse(buf, file, true);
  checkBudget(head.ds, file, budgetBytes);
  const { ds } = parse(JPEG.has(syntaxOf(head.meta, file)) ? await decompressJpegAsync(file) : buf, file);
  checkBudget(ds, file, budgetBytes);
  return clipOf(ds, file);
}

function syntaxOf(meta: Ds, file: string): string {
  const ts = String(meta.TransferSyntaxUID ?? '');
  if (JPEG.has(ts) || NATIVE.has(ts)) return ts;
  throw new Error(
    `${basename(file)} uses transfer syntax ${ts}, which sonoedge does not decode (uncompressed and JPEG baseline are); convert it to uncompressed (e.g. dcmdjpeg or gdcmconv from GDCM)`,
  );
}

/** A frame time the file declares (Frame Time, else Cine Rate, else Recommended Display Frame Rate), in ms. */
function declaredFrameTime(ds: Ds): number | undefined {
  const rate = num(ds.CineRate) ?? num(ds.RecommendedDisplayFrameRate);
  return num(ds.FrameTime) ?? (rate === undefined ? undefined : 1000 / rate);
}

function clipOf(ds: Ds, file: string): DicomClip {
  const width = num(ds.Columns);
  const height = num(ds.Rows);
  const bits = num(ds.BitsAllocated);
  const spp = num(ds.SamplesPerPixel) ?? 1;
  if (!width || !height || !ds.PixelData) throw new Error(`${basename(file)} holds no image (Rows/Columns/Pixel Data missing)`);
  if (spp !== 1 && spp !== 3) throw new Error(`${basename(file)} has ${spp} samples per pixel; 1 or 3 are supported`);
  if (bits !== 8 && bits !== 16) throw new Error(`${basename(file)} has ${bits} bits allocated; 8 or 16 are supported`);
  const nFrames = num(ds.NumberOfFrames) ?? 1;
  const parts = ds.PixelData as ArrayBuffer[];
  const all = parts.length === 1 ? new Uint8Array(parts[0]!) : joinParts(parts);
  const perFrame = width * height * spp * (bits / 8);
  if (all.length < perFrame * nFrames) throw new Error(`${basename(file)} pixel data is ${all.length} bytes; ${nFrames} frames of ${width}×${height}×${spp}×${bits} bits need ${perFrame * nFrames}`);
  // dcmdjpeg writes YBR_FULL colour back as RGB; planar configuration is honoured either way
  const planar = spp === 3 && num(ds.PlanarConfiguration) === 1;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < nFrames; f++) frames.push(toEightBit(all.subarray(f * perFrame, (f + 1) * perFrame), bits, planar ? width * height : 0));
  const declared = declaredFrameTime(ds);
  const usable = declared !== undefined && Number.isFinite(declared) && declared >= FRAME_TIME_MS.min && declared <= FRAME_TIME_MS.max;
  const { spacing, region } = spacingOf(ds, width, height);
  const clip: DicomClip = { file, width, height, channels: spp as 1 | 3, frames, frameTimeMs: usable ? declared : undefined, spacing, region };
  if (declared !== undefined && !usable) clip.frameTimeIgnored = declared;
  return clip;
}

function joinParts(parts: ArrayBuffer[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    all.set(new Uint8Array(p), off);
    off += p.byteLength;
  }
  return all;
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
  } else out = src; // a view of the file's pixel data: no copy
  if (planeSize === 0) return out;
  const inter = new Uint8Array(3 * planeSize);
  for (let i = 0; i < planeSize; i++) {
    inter[3 * i] = out[i]!;
    inter[3 * i + 1] = out[planeSize + i]!;
    inter[3 * i + 2] = out[2 * planeSize + i]!;
  }
  return inter;
}
