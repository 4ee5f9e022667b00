/**
 * A cine clip saved to an exam → one Ultrasound Multi-frame Image (PS3.3 A.7): the Ultrasound Image modules
 * of us-image.ts plus the Cine and Multi-frame modules. Frame timing travels as a Frame Time Vector (the
 * Frame Increment Pointer names it): a live stream drops frames now and then, so the real interval before
 * each frame is sent, not a nominal rate. Every frame is cleaned like a single image (only the imaging region
 * leaves); a clip whose source has no region set is built but held on the device, as captures are.
 */
import type { GateEntry } from '../ocr/hold.js';
import type { StoredClip } from '../records/clip-store.js';
import { cleanPixels } from './deidentify.js';
import { type Dataset, dicomDate, dicomTime } from './dicom-file.js';
import { keyedUid } from './uids.js';
import { type StudyContext, buildUsImage } from './us-image.js';

export const US_MULTIFRAME_STORAGE = '1.2.840.10008.5.1.4.1.1.3.1';
/** (0018,1065) Frame Time Vector, as the Frame Increment Pointer's AT value. */
const FRAME_TIME_VECTOR_TAG = 0x00181065;

/** What the records keep of a clip, as the export reads it: the records' own shape, declared once there. */
export type ClipForExport = StoredClip;

export interface ClipExport {
  datasets: Dataset[];
  /** the OCR gate of each clip, by its UID before de-identification */
  gates: Map<string, GateEntry>;
}

const REGION_NOT_SET: GateEntry = {
  hold: {
    code: 'SONO_REGION_NOT_SET',
    message: 'The source has no imaging region set, so text the scanner burns around the clip could not be cut off; a technician sets the region (System page), or masks this clip and releases it',
  },
};

/** The rule export-exam.ts applies to captures: a region the source declares or a technician set is known. */
function regionKnown(c: ClipForExport): boolean {
  const r = c.region;
  const wholeFrame = r.x === 0 && r.y === 0 && r.width === c.width && r.height === c.height;
  return r.origin === undefined ? !wholeFrame : r.origin !== 'unset';
}

/** One frame as 8-bit gray (an RGB source is converted with the Rec. 601 weights, as captures are). */
function grayFrame(c: ClipForExport, i: number): Uint8Array {
  const n = c.width * c.height;
  const px = c.pixels.subarray(i * n * c.channels, (i + 1) * n * c.channels);
  if (c.channels === 1) return px;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.round(0.299 * px[3 * k]! + 0.587 * px[3 * k + 1]! + 0.114 * px[3 * k + 2]!);
  return out;
}

/** The clip's frames, each cleaned (outside the imaging region zeroed), one after another. */
export function cleanClipPixels(c: ClipForExport): Uint8Array {
  const n = c.width * c.height;
  const out = new Uint8Array(n * c.frameCount);
  for (let i = 0; i < c.frameCount; i++) out.set(cleanPixels(grayFrame(c, i), c.width, c.height, c.region), i * n);
  return out;
}

/** Ms before each frame (0 for the first), at most 0.1 ms precise: a DS value stays within 16 characters. */
export function frameTimeVector(timestampsMs: readonly number[]): number[] {
  return timestampsMs.map((t, i) => (i === 0 ? 0 : Math.round((t - timestampsMs[i - 1]!) * 10) / 10));
}

/** The Ultrasound Multi-frame Image of one clip (not yet de-identified: export-exam.ts does that for all). */
export function buildClipImage(study: StudyContext, c: ClipForExport, o: { seriesInstanceUid: string; sopInstanceUid: string; instanceNumber: number; seriesDescription: string }): Dataset {
  const t = new Date(c.createdAt);
  const single = buildUsImage(study, {
    seriesInstanceUid: o.seriesInstanceUid,
    seriesNumber: 3,
    sopInstanceUid: o.sopInstanceUid,
    instanceNumber: o.instanceNumber,
    contentDate: dicomDate(t),
    contentTime: dicomTime(t),
    width: c.width,
    height: c.height,
    pixels: cleanClipPixels(c),
    region: { x: c.region.x, y: c.region.y, width: c.region.width, height: c.region.height },
    pixelSpacingMm: c.pixelSpacing ?? undefined,
    derived: false,
    seriesDescription: o.seriesDescription,
    burnedInAnnotation: 'NO',
  });
  const vector = frameTimeVector(c.timestampsMs);
  const span = c.timestampsMs[c.timestampsMs.length - 1]! - c.timestampsMs[0]!;
  const rate = c.frameCount > 1 && span > 0 ? Math.max(1, Math.round(((c.frameCount - 1) * 1000) / span)) : 1;
  return {
    ...single,
    SOPClassUID: US_MULTIFRAME_STORAGE,
    // Multi-frame module: the frames step in time, by the Frame Time Vector
    NumberOfFrames: c.frameCount,
    FrameIncrementPointer: FRAME_TIME_VECTOR_TAG,
    // Cine module: the real intervals, and the rate a viewer plays it back at
    FrameTimeVector: vector,
    RecommendedDisplayFrameRate: rate,
    CineRate: rate,
    _vrMap: { PixelData: 'OB' },
  };
}

/** The clips of an exam, one instance each in the exam's cine series (described as `seriesDescription`), with each one's gate. */
export function buildClipDatasets(study: StudyContext, clips: readonly ClipForExport[], o: { secret: string; examId: string; seriesDescription: string }): ClipExport {
  const series = keyedUid(o.secret, `series:clip:${o.examId}`);
  const gates = new Map<string, GateEntry>();
  const datasets = clips.map((c, i) => {
    const uid = keyedUid(o.secret, `clip:${c.id}`);
    gates.set(uid, regionKnown(c) ? { check: true } : REGION_NOT_SET);
    return buildClipImage(study, c, { seriesInstanceUid: series, sopInstanceUid: uid, instanceNumber: i + 1, seriesDescription: o.seriesDescription });
  });
  return { datasets, gates };
}
