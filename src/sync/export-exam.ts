/**
 * A closed exam → DICOM instances: per capture an Ultrasound Image (raw pixels, imaging region only) in one
 * series and its overlay rendering (ellipse burned in) in a separate derived series, plus one
 * Comprehensive SR with the measurements. UIDs derive from the record ids, so rebuilding an exam gives the
 * same instances (a retry can never make a duplicate). `deidentified` applies Annex E before anything leaves.
 */
import type { ImagingRegion } from '../capture/frame.js';
import type { GateEntry, HoldReason } from '../ocr/hold.js';
import { TASK_OF_EXAM } from '../protocol/exam-types.js';
import type { Exam } from '../records/types.js';
import { cleanPixels, deidentify } from './deidentify.js';
import { imageSeriesDescription } from './descriptors.js';
import { type Dataset, dicomDate, dicomTime, writePart10 } from './dicom-file.js';
import type { buildMeasurementSr, SrMeasurement } from './sr.js';
import { type EllipseLike, type SegmentLike, decidedOrigin, drawEllipse, drawLine, drawOutline } from './overlay-draw.js';
import { measurementShape } from './sr-geometry.js';
import type { FrameOrigin } from './sr-scoord.js';
import { reportDatasets } from './report-datasets.js';
import type { ReportRevision } from './sr-revision.js';
import { keyedUid } from './uids.js';
import { US_IMAGE_STORAGE, type StudyContext, buildUsImage } from './us-image.js';
import { type ClipForExport, buildClipDatasets } from './us-multiframe.js';

export interface CapturePixels {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: number;
  /** The stored pixels were damaged (src/sync/capture-geometry.ts): these are a placeholder, and the images are held with this reason. */
  damaged?: HoldReason;
  region: ImagingRegion;
}

export interface ExportOptions {
  secret: string;
  dates: 'shift' | 'remove';
  deviceSerial: string;
  softwareVersion: string;
  deidentified: boolean;
  /** Which report revision to build (src/sync/sr-revision.ts); default revision 0, unsigned. */
  report?: ReportRevision | undefined;
  /** The exam's cine clips (src/records/clip-store.ts): one Ultrasound Multi-frame Image each, gated like captures. */
  clips?: readonly ClipForExport[] | undefined;
}

export interface DicomInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  seriesInstanceUid: string;
  bytes: Buffer;
  dataset: Dataset;
  /** Images only: read by the OCR gate before they leave, or held at once (src/ocr). */
  gate?: GateEntry;
}

interface StoredResultEvent {
  modelId?: string;
  modelVersion?: string;
  provider?: string;
  result?: { task?: string; ellipse?: EllipseLike; lesion?: { outline?: number[] } };
}

function toGray(p: CapturePixels): Uint8Array {
  if (p.channels === 1) return p.pixels;
  const out = new Uint8Array(p.width * p.height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * p.pixels[3 * i]! + 0.587 * p.pixels[3 * i + 1]! + 0.114 * p.pixels[3 * i + 2]!);
  return out;
}

export function buildExamInstances(exam: Exam, pixelsOf: (captureId: string) => CapturePixels, o: ExportOptions): DicomInstance[] {
  const k = o.secret;
  const created = new Date(exam.createdAt);
  const p = exam.patient;
  const study: StudyContext = {
    studyInstanceUid: keyedUid(k, `study:${exam.id}`),
    studyDate: dicomDate(created),
    studyTime: dicomTime(created),
    studyId: exam.id.slice(0, 16),
    accessionNumber: '',
    patient: { name: p?.name ?? '', id: p?.id ?? '', birthDate: p?.birthDate ?? '', sex: p?.sex ?? '' },
    deviceSerial: o.deviceSerial,
    softwareVersion: o.softwareVersion,
  };
  const rawSeries = keyedUid(k, `series:raw:${exam.id}`);
  const overlaySeries = keyedUid(k, `series:overlay:${exam.id}`);
  const datasets: Dataset[] = [];
  const groups: Parameters<typeof buildMeasurementSr>[1]['groups'] = [];
  const examType = exam.examType ?? 'obstetric';
  const task: string = TASK_OF_EXAM[examType];
  let model = { name: task, version: 'unknown', provider: 'unknown' };
  let withheld = 0;
  /** the gate of each image, by its UID before de-identification */
  const gates = new Map<string, GateEntry>();
  exam.captures.forEach((c, i) => {
    const px = pixelsOf(c.id);
    // the result of this exam type's model (another model may have run on the same frame)
    const mine = (c.results as StoredResultEvent[]).find((r) => r.result?.task === task);
    if (mine?.modelId) model = { name: mine.modelId, version: mine.modelVersion ?? 'unknown', provider: mine.provider ?? 'unknown' };
    const measurements = c.measurements.map((m): SrMeasurement => ({
      kind: m.kind,
      unit: m.unit,
      aiValue: m.aiValue,
      finalValue: m.finalValue,
      aiText: m.aiText,
      finalText: m.finalText,
      state: m.state,
      decidedBy: m.decidedBy,
      decidedAt: m.decidedAt,
      // the raw image below is this frame pixel for pixel (cleaned, not cropped or scaled): its coordinates are the frame's
      shape: px.width === c.width && px.height === c.height ? measurementShape(m, mine?.result?.ellipse) : undefined,
    }));
    // Clean Pixel Data needs to know where the image is: a region the source declares or a technician set
    // (src/capture/region.ts). A capture without one (a grabber's whole screen) is built but kept on the
    // device, held with SONO_REGION_NOT_SET, until a technician masks it; a record from before regions were
    // marked counts as known when it is smaller than the frame.
    const wholeFrame = px.region.x === 0 && px.region.y === 0 && px.region.width === px.width && px.region.height === px.height;
    const known = px.region.origin === undefined ? !wholeFrame : px.region.origin !== 'unset';
    const gate: GateEntry = px.damaged
      ? { hold: px.damaged }
      : known
        ? { check: true }
        : {
            hold: {
              code: 'SONO_REGION_NOT_SET',
              message:
                'The source has no imaging region set, so text the scanner burns around the image could not be cut off; a technician sets the region (System page), or masks this image and releases it',
            },
          };
    if (!known || px.damaged) withheld++;
    // Clean Pixel Data: only the imaging region leaves, in both series.
    const clean = cleanPixels(toGray(px), px.width, px.height, px.region);
    gates.set(keyedUid(k, `image:raw:${c.id}`), gate);
    gates.set(keyedUid(k, `image:overlay:${c.id}`), gate);
    const t = new Date(c.createdAt);
    const common = {
      width: px.width,
      height: px.height,
      region: { x: px.region.x, y: px.region.y, width: px.region.width, height: px.region.height },
      pixelSpacingMm: c.pixelSpacing ?? undefined,
      contentDate: dicomDate(t),
      contentTime: dicomTime(t),
      instanceNumber: i + 1,
      burnedInAnnotation: 'NO' as const,
      laterality: c.laterality ?? undefined, // the breast it was taken on: Image Laterality on both images (kept by deid-table.ts)
    };
    const rawUid = keyedUid(k, `image:raw:${c.id}`);
    datasets.push(
      buildUsImage(study, {
        ...common,
        seriesInstanceUid: rawSeries,
        seriesNumber: 1,
        sopInstanceUid: rawUid,
        pixels: clean,
        derived: false,
        seriesDescription: imageSeriesDescription(examType, 'raw'),
      }),
    );
    const overlay = Uint8Array.from(clean);
    // each shape in its author's coordinates (decidedOrigin: a correction's are the page's, pixel corners)
    const originOf = (m: { state: string } | undefined, fromFinal: boolean): FrameOrigin => decidedOrigin(m?.state, fromFinal);
    // the head's ellipse as decided: the clinician's when corrected (the HC's final geometry), else the AI's
    const hc = c.measurements.find((m) => m.kind === 'hc');
    const hcFinal = (hc?.finalGeometry as { ellipse?: EllipseLike } | null | undefined)?.ellipse;
    const finalEllipse = hcFinal ?? mine?.result?.ellipse;
    if (finalEllipse) drawEllipse(overlay, px.width, px.height, finalEllipse, originOf(hc, hcFinal !== undefined));
    // the outline as decided: the clinician's when pushed into shape, else the AI's
    const margin = c.measurements.find((m) => m.kind === 'lesion_margin');
    const marginFinal = (margin?.finalGeometry as { outline?: number[] } | null | undefined)?.outline;
    const outline = marginFinal ?? (margin?.aiGeometry as { outline?: number[] } | null | undefined)?.outline ?? mine?.result?.lesion?.outline;
    if (outline) drawOutline(overlay, px.width, px.height, outline, originOf(margin, marginFinal !== undefined));
    // the calipers as decided (the clinician's when corrected, else the AI's)
    for (const m of c.measurements) {
      const g = (m.finalGeometry ?? m.aiGeometry) as SegmentLike | null;
      if (g && typeof g.x1 === 'number') drawLine(overlay, px.width, px.height, g, originOf(m, m.finalGeometry !== null && m.finalGeometry !== undefined));
    }
    // the clinician's own calipers: a distance's line, an area's closed outline (drawn on the page: pixel corners)
    for (const m of c.clinicianMeasurements ?? []) drawOutline(overlay, px.width, px.height, m.points.flat(), 'pixel-corner');
    datasets.push(
      buildUsImage(study, {
        ...common,
        seriesInstanceUid: overlaySeries,
        seriesNumber: 2,
        sopInstanceUid: keyedUid(k, `image:overlay:${c.id}`),
        pixels: overlay,
        derived: true,
        seriesDescription: imageSeriesDescription(examType, 'overlay'), // the outline as decided and the clinician's calipers, not only the AI's
      }),
    );
    groups.push({
      trackingUid: keyedUid(k, `group:${c.id}`),
      image: { sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: rawUid, seriesInstanceUid: rawSeries },
      measurements,
      manual: c.clinicianMeasurements,
      laterality: c.laterality,
    });
  });
  const cine = buildClipDatasets(study, o.clips ?? [], { secret: k, examId: exam.id, seriesDescription: imageSeriesDescription(examType, 'cine') });
  datasets.push(...cine.datasets);
  for (const [uid, gate] of cine.gates) gates.set(uid, gate);
  datasets.push(...reportDatasets(exam, study, groups, model, withheld, o));
  const patientKey = p?.id ?? `exam:${exam.id}`;
  return datasets.map((ds) => {
    const out = o.deidentified ? deidentify(ds, { secret: k, patientKey, dates: o.dates }) : ds;
    const gate = gates.get(ds.SOPInstanceUID as string);
    return {
      sopInstanceUid: out.SOPInstanceUID as string,
      sopClassUid: out.SOPClassUID as string,
      seriesInstanceUid: out.SeriesInstanceUID as string,
      bytes: writePart10(out),
      dataset: out,
      ...(gate ? { gate } : {}),
    };
  });
}
