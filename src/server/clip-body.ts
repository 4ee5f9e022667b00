/**
 * The body of POST /api/exams/:id/clips: the frame messages of a cine clip, one after another, each exactly as
 * /api/live sent it (header + pixels; src/protocol/frame-header.ts). Each message's header says its length,
 * so no other framing is needed. Checked strictly before anything is stored: every frame a raw frame the
 * daemon sent lately (sequence and capture time known, size and region as sent), all of one size and region,
 * in capture order, between 2 and MAX_CLIP_FRAMES frames.
 */
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { ClipInput } from '../records/clip-store.js';
import { FRAME_HEADER_BYTES_WITH_KIND, decodeFrameHeader } from './frame-message.js';
import { type SentFrame, frameGeometry } from './sent-frames.js';

/**
 * 90 frames: 3 s at 30 fps, the window the page sends around the frame shown (web-ui/src/live/clip.ts). A
 * 640×480 gray clip is then 27.6 MB in the records and one multi-frame DICOM object of the same size.
 */
export const MAX_CLIP_FRAMES = 90;
/** No clip body is larger than this, whatever the frame size (64 MiB). */
export const MAX_CLIP_BYTES = 64 * 1024 * 1024;

/** The byte limit of a clip body: MAX_CLIP_FRAMES of the largest recent frame, never above MAX_CLIP_BYTES. */
export function clipBodyLimit(largestFrameBytes: number): number {
  return Math.min(MAX_CLIP_BYTES, MAX_CLIP_FRAMES * (FRAME_HEADER_BYTES_WITH_KIND + largestFrameBytes));
}

const invalid = (msg: string, details?: Record<string, number>): SonoError => new SonoError(ErrorCodes.CLIP_INVALID, msg, details ? { details } : undefined);
const geometry = frameGeometry;

/** Splits and checks a clip body; the clip to store (without its client key). */
export function parseClip(body: Buffer, sent: (seq: number, timestampMs: number) => SentFrame | undefined): Omit<ClipInput, 'clientKey'> {
  const frames: Array<{ seq: number; timestampMs: number; start: number; bytes: number; seen: SentFrame }> = [];
  let at = 0;
  while (at < body.length) {
    if (frames.length === MAX_CLIP_FRAMES) throw invalid(`The clip holds more than ${MAX_CLIP_FRAMES} frames; send at most ${MAX_CLIP_FRAMES} (3 s at 30 fps)`, { max: MAX_CLIP_FRAMES });
    let h: ReturnType<typeof decodeFrameHeader>;
    try {
      h = decodeFrameHeader(body.subarray(at));
    } catch (err) {
      throw new SonoError(
        ErrorCodes.FRAME_MESSAGE_INVALID,
        `Frame ${frames.length + 1} of the clip (byte ${at}) is not a frame message (${errorMessage(err)}); post the messages /api/live sent, one after another`,
        { cause: err },
      );
    }
    if (h.kind !== 0) throw invalid(`Frame ${h.seq} of the clip is an enhanced frame (display only); a clip holds raw frames`, { seq: h.seq });
    const bytes = h.width * h.height * h.channels;
    if (at + h.pixelOffset + bytes > body.length) {
      throw new SonoError(
        ErrorCodes.FRAME_MESSAGE_INVALID,
        `Frame ${h.seq} of the clip claims ${h.width}×${h.height}×${h.channels} pixels but the body ends ${at + h.pixelOffset + bytes - body.length} bytes short; post the messages unchanged`,
      );
    }
    const seen = sent(h.seq, h.timestampMs);
    if (!seen) {
      throw new SonoError(
        ErrorCodes.CLIP_FRAME_UNKNOWN,
        `Frame ${h.seq} captured at ${h.timestampMs} is not one this daemon sent lately (the daemon restarted, the source changed, or it is older than the last 2000 frames); freeze again and save a newer clip`,
        {
          details: { seq: h.seq },
        },
      );
    }
    if (geometry(h) !== geometry(seen)) {
      throw new SonoError(ErrorCodes.FRAME_MESSAGE_INVALID, `Frame ${h.seq} claims ${geometry(h)}, but the daemon sent it as ${geometry(seen)}; post the frame messages unchanged`, {
        details: { seq: h.seq },
      });
    }
    const prev = frames[frames.length - 1];
    if (prev && geometry(prev.seen) !== geometry(seen)) {
      // one multi-frame image has one size, one region and one spacing: the page cuts a clip where the source
      // changed size or scale (a calibration made while the cine filled)
      throw new SonoError(
        ErrorCodes.CLIP_FRAMES_MIXED,
        `Frame ${h.seq} is ${geometry(seen)} but frame ${prev.seq} before it is ${geometry(prev.seen)}; a clip holds frames of one size, region and scale`,
        {
          details: { seq: h.seq },
        },
      );
    }
    if (prev && !(h.seq > prev.seq && h.timestampMs > prev.timestampMs)) throw invalid(`Frame ${h.seq} comes after frame ${prev.seq}; send a clip's frames oldest first, each once`, { seq: h.seq });
    frames.push({ seq: h.seq, timestampMs: h.timestampMs, start: at + h.pixelOffset, bytes, seen });
    at += h.pixelOffset + bytes;
  }
  if (frames.length < 2) throw invalid(`The clip holds ${frames.length} frame(s); a clip needs at least 2 (save a single frame with Confirm)`, { frames: frames.length });
  const first = frames[0]!.seen;
  const pixels = new Uint8Array(frames.length * frames[0]!.bytes);
  frames.forEach((f, i) => pixels.set(body.subarray(f.start, f.start + f.bytes), i * f.bytes));
  return {
    width: first.width,
    height: first.height,
    channels: first.channels,
    seqs: frames.map((f) => f.seq),
    timestampsMs: frames.map((f) => f.timestampMs),
    region: first.region,
    pixelSpacing: first.pixelSpacing,
    pixels,
  };
}
