/** Decoder of the daemon's binary frame message (see src/server/frame-message.ts for the layout). */
export const FRAME_MAGIC = 0x4f4e4f53;

export interface FrameHeader {
  seq: number;
  channels: number;
  width: number;
  height: number;
  timestampMs: number;
  pixelSpacing: { x: number; y: number } | undefined;
  pixelOffset: number;
  /** 0 raw frame, 1 enhanced frame (display only, never measured or captured) */
  kind: number;
}

export function decodeHeader(buf: ArrayBuffer): FrameHeader | undefined {
  if (buf.byteLength < 40) return undefined;
  const v = new DataView(buf);
  if (v.getUint32(0, true) !== FRAME_MAGIC) return undefined;
  const sx = v.getFloat32(24, true);
  const sy = v.getFloat32(28, true);
  return {
    seq: v.getUint32(8, true),
    channels: v.getUint8(7),
    width: v.getUint16(12, true),
    height: v.getUint16(14, true),
    timestampMs: v.getFloat64(16, true),
    pixelSpacing: sx > 0 ? { x: sx, y: sy } : undefined,
    pixelOffset: v.getUint16(4, true),
    kind: v.getUint16(4, true) > 40 && buf.byteLength > 40 ? v.getUint8(40) : 0,
  };
}

export interface FetalHeadResult {
  task: 'fetal-head';
  detected: boolean;
  ellipse?: { cx: number; cy: number; semiMajor: number; semiMinor: number; angleDeg: number };
  contour?: number[];
  hcMm?: number;
  bpdMm?: number;
  ofdMm?: number;
  gaWeeks?: number;
  confidence: number;
  quality: { score: number };
  flags: Array<{ code: string; severity: string; message: string }>;
}

export interface Segment { x1: number; y1: number; x2: number; y2: number }

export interface BreastLesionResult {
  task: 'breast-lesion';
  class: 'normal' | 'benign' | 'malignant' | null;
  probabilities: { normal: number; benign: number; malignant: number };
  malignancyProbability: number;
  confidence: number;
  lesionPresent: boolean;
  maskConfidence: number;
  lesion?: {
    units: 'mm' | 'px';
    outline: number[];
    maxDiameter: number;
    perpendicularDiameter: number;
    longAxis: Segment;
    perpendicularAxis: Segment;
    orientation: { tallerThanWide: boolean; assessment: 'parallel' | 'not-parallel' };
    margin: { solidity: number; convexity: number; assessment: 'circumscribed' | 'irregular' };
  };
  summary: string;
  flags: Array<{ code: string; severity: string; message: string }>;
}

export type TaskResult = FetalHeadResult | BreastLesionResult;

export interface ResultMessage {
  type: 'result';
  seq: number;
  modelId: string;
  modelVersion: string;
  provider: string;
  timings: { totalMs: number; inferenceMs: number };
  result: TaskResult;
}
