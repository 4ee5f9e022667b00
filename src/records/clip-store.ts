import { randomUUID } from 'node:crypto';
import type { ImagingRegion } from '../capture/frame.js';
import { ErrorCodes, SonoError } from '../errors.js';
import { checkFrame, checkSpacing } from './checks.js';
import type { Db } from './database.js';

/** A clip as the routes take it: frames of one size and region, already checked against what the daemon sent. */
export interface ClipInput {
  width: number;
  height: number;
  channels: number;
  /** the frames' sequence numbers and capture times (source clock, ms), oldest first */
  seqs: number[];
  timestampsMs: number[];
  region: ImagingRegion;
  pixelSpacing: { x: number; y: number } | undefined;
  /** every frame's pixels, one after another */
  pixels: Uint8Array;
  clientKey?: string | undefined;
}

/** A stored clip's frames as the daemon sent them (no pixels), for a retry of it (ClipStore.clipUnderKey). */
export interface KeyedClip {
  id: string;
  frames: Array<{ seq: number; timestampMs: number; width: number; height: number; channels: number; pixelSpacing: { x: number; y: number } | undefined; region: ImagingRegion }>;
}

/** 409: the key was stored with another clip (frame numbers restart with the source); never answered with it. */
export function clipKeyReused(examId: string, clientKey: string, clipId: string, firstSeq: number | undefined): SonoError {
  return new SonoError(
    ErrorCodes.IDEMPOTENCY_KEY_REUSED,
    `The Idempotency-Key "${clientKey}" already saved another clip to exam ${examId} (other frames, captured at other times); frame numbers restart when the source restarts: reload the page and save the clip again (it sends a key of its own for each clip)`,
    { details: { clipId, firstSeq: firstSeq ?? null } },
  );
}

/** A clip with its pixels, as the DICOM export reads it (src/sync/us-multiframe.ts takes this shape). */
export interface StoredClip {
  id: string;
  createdAt: string;
  width: number;
  height: number;
  channels: number;
  frameCount: number;
  /** each frame's capture time on the source clock, ms, oldest first */
  timestampsMs: number[];
  region: ImagingRegion;
  pixelSpacing: { x: number; y: number } | null;
  /** the frames' pixels one after another, row-major, `channels` bytes per pixel */
  pixels: Uint8Array;
}

/** What the record view and the route answer of a clip (no pixels). */
export interface ClipSummary {
  id: string;
  examId: string;
  createdAt: string;
  createdBy: string;
  frameCount: number;
  width: number;
  height: number;
  firstSeq: number;
  lastSeq: number;
  /** from the first frame's capture time to the last one's */
  durationMs: number;
}

interface ClipRow {
  id: string;
  exam_id: string;
  created_at: string;
  created_by: string;
  frame_count: number;
  width: number;
  height: number;
  channels: number;
  first_seq: number;
  last_seq: number;
  timestamps_json: string;
  pixel_spacing_x: number | null;
  pixel_spacing_y: number | null;
  region_json: string;
}

const SUMMARY_COLUMNS = 'id, exam_id, created_at, created_by, frame_count, width, height, channels, first_seq, last_seq, timestamps_json, pixel_spacing_x, pixel_spacing_y, region_json';

function summaryOf(r: ClipRow): ClipSummary {
  const ts = JSON.parse(r.timestamps_json) as number[];
  return {
    id: r.id,
    examId: r.exam_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    frameCount: r.frame_count,
    width: r.width,
    height: r.height,
    firstSeq: r.first_seq,
    lastSeq: r.last_seq,
    durationMs: Math.round((ts[ts.length - 1] ?? 0) - (ts[0] ?? 0)),
  };
}

/**
 * Cine clips of an exam in the records database (encrypted as a whole). A clip is stored once: the same
 * client key, or the same frame range, answers the clip already stored. A client key stored with other frames
 * (other sequences, capture times or pixels) is refused with SONO_IDEMPOTENCY_KEY_REUSED. Only an open exam
 * takes clips.
 */
export class ClipStore {
  constructor(private readonly db: Db) {}

  addClipOnce(examId: string, input: ClipInput, by: string): { clip: ClipSummary; created: boolean } {
    const n = input.seqs.length;
    checkFrame({ width: input.width, height: input.height, channels: input.channels, bytes: input.pixels.length / n, region: input.region }, `The clip's frame ${input.seqs[0]}`);
    checkSpacing(input.pixelSpacing, `The clip's pixel spacing`);
    const id = randomUUID();
    const existing = this.db
      .transaction((): string | undefined => {
        const exam = this.db.prepare('SELECT closed_at, voided_at FROM exams WHERE id = ?').get(examId) as { closed_at: string | null; voided_at: string | null } | undefined;
        if (!exam) throw new SonoError(ErrorCodes.EXAM_NOT_FOUND, `Exam ${examId} does not exist; list exams with GET /api/exams`);
        const same = this.#sameClip(examId, input);
        if (same) return same;
        if (exam.voided_at) throw new SonoError(ErrorCodes.EXAM_VOIDED, `Exam ${examId} was voided; a voided exam takes nothing more: start a new exam`);
        if (exam.closed_at) throw new SonoError(ErrorCodes.EXAM_CLOSED, `Exam ${examId} is closed; start a new exam to save more clips`);
        this.db
          .prepare(
            `INSERT INTO clips (id, exam_id, created_at, created_by, frame_count, width, height, channels, first_seq, last_seq, first_timestamp_ms, seqs_json, timestamps_json,
              pixel_spacing_x, pixel_spacing_y, region_json, pixels, client_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id,
            examId,
            new Date().toISOString(),
            by,
            n,
            input.width,
            input.height,
            input.channels,
            input.seqs[0],
            input.seqs[n - 1],
            input.timestampsMs[0],
            JSON.stringify(input.seqs),
            JSON.stringify(input.timestampsMs),
            input.pixelSpacing?.x ?? null,
            input.pixelSpacing?.y ?? null,
            JSON.stringify(input.region),
            Buffer.from(input.pixels.buffer, input.pixels.byteOffset, input.pixels.byteLength),
            input.clientKey ?? null,
          );
        return undefined;
      })
      .immediate();
    return { clip: this.#summary(existing ?? id), created: existing === undefined };
  }

  #sameClip(examId: string, input: ClipInput): string | undefined {
    const byKey =
      input.clientKey !== undefined
        ? (this.db.prepare('SELECT id, seqs_json, timestamps_json, pixels FROM clips WHERE exam_id = ? AND client_key = ?').get(examId, input.clientKey) as
            { id: string; seqs_json: string; timestamps_json: string; pixels: Buffer } | undefined)
        : undefined;
    if (byKey) {
      // the key was stored with another clip (sequences restart with the source): refused, never answered with it
      const sameFrames = byKey.seqs_json === JSON.stringify(input.seqs) && byKey.timestamps_json === JSON.stringify(input.timestampsMs);
      // retention may have dropped the stored pixels (an empty blob): then the frames' sequences and times decide
      const samePixels = byKey.pixels.length === 0 || Buffer.compare(byKey.pixels, Buffer.from(input.pixels.buffer, input.pixels.byteOffset, input.pixels.byteLength)) === 0;
      if (!(sameFrames && samePixels)) throw clipKeyReused(examId, input.clientKey!, byKey.id, input.seqs[0]);
    }
    const byRange = this.db
      .prepare('SELECT id FROM clips WHERE exam_id = ? AND first_seq = ? AND first_timestamp_ms = ? AND last_seq = ?')
      .get(examId, input.seqs[0], input.timestampsMs[0], input.seqs[input.seqs.length - 1]) as { id: string } | undefined;
    return (byKey ?? byRange)?.id;
  }

  /**
   * The frames of the clip exam `examId` holds under `clientKey` (no pixels), or undefined: a retry's frames are
   * checked against them before the frames the daemon sent lately, which a daemon restart drops.
   */
  clipUnderKey(examId: string, clientKey: string | undefined): KeyedClip | undefined {
    if (clientKey === undefined) return undefined;
    const r = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, seqs_json FROM clips WHERE exam_id = ? AND client_key = ?`).get(examId, clientKey) as (ClipRow & { seqs_json: string }) | undefined;
    if (!r) return undefined;
    const timestampsMs = JSON.parse(r.timestamps_json) as number[];
    const pixelSpacing = r.pixel_spacing_x !== null && r.pixel_spacing_y !== null ? { x: r.pixel_spacing_x, y: r.pixel_spacing_y } : undefined;
    const region = JSON.parse(r.region_json) as ImagingRegion;
    const frames = (JSON.parse(r.seqs_json) as number[]).map((seq, i) => ({ seq, timestampMs: timestampsMs[i]!, width: r.width, height: r.height, channels: r.channels, pixelSpacing, region }));
    return { id: r.id, frames };
  }

  #summary(id: string): ClipSummary {
    return summaryOf(this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM clips WHERE id = ?`).get(id) as ClipRow);
  }

  /** An exam's clips, oldest first. */
  listClips(examId: string): ClipSummary[] {
    return (this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM clips WHERE exam_id = ? ORDER BY created_at, rowid`).all(examId) as ClipRow[]).map(summaryOf);
  }

  /**
   * An exam's clips with their pixels, for the DICOM export at close. A clip whose frames retention dropped
   * (an empty blob, src/service/retention.ts) reads as black frames of its size, as a dropped capture does.
   */
  clipsForExport(examId: string): StoredClip[] {
    const rows = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, pixels FROM clips WHERE exam_id = ? ORDER BY created_at, rowid`).all(examId) as Array<ClipRow & { pixels: Buffer }>;
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      width: r.width,
      height: r.height,
      channels: r.channels,
      frameCount: r.frame_count,
      timestampsMs: JSON.parse(r.timestamps_json) as number[],
      region: JSON.parse(r.region_json) as ImagingRegion,
      pixelSpacing: r.pixel_spacing_x !== null && r.pixel_spacing_y !== null ? { x: r.pixel_spacing_x, y: r.pixel_spacing_y } : null,
      pixels: r.pixels.length > 0 ? new Uint8Array(r.pixels.buffer, r.pixels.byteOffset, r.pixels.byteLength) : new Uint8Array(r.width * r.height * r.channels * r.frame_count),
    }));
  }
}
