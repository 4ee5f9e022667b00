/**
 * A frozen frame keeps the scale it was captured at. Its header carries the pixel spacing the daemon put on it
 * (a calibration, depth-scale taps or the source's own), the numbers and calipers on it are measured with that,
 * and the daemon stores a capture with the spacing it sent the frame with (src/server/sent-frames.ts), never the
 * one in force when it is saved. When a technician recalibrates (on this tablet or another) while a clinician
 * reviews a frozen frame, the page cannot know whether the scanner's depth changed (the old scale is right for
 * the frame) or the old calibration was wrong (its numbers are wrong): it says so on the frame, and Confirm asks
 * "Save it with its own 0.xxx mm/px?" first; Cancel saves nothing. The scale in force is read off the live
 * frames, which keep arriving while the page is frozen (main.ts calls noteLiveScale for each raw one).
 */
import { type DecodedFrameHeader, decodeFrameHeader } from '../../../src/protocol/index.js';
import { t } from '../i18n';
import { reviewOf } from '../state';
import { mmPerPx } from './calibration';
import type { LiveContext } from './context';
import { frameKey } from './kept-frames';
import { fill } from './strings';

type Spacing = { x: number; y: number } | undefined;
type Sized = Pick<DecodedFrameHeader, 'width' | 'height' | 'pixelSpacing'>;

/** Scale of the frozen frame against the live frames of its size: `was` it was captured at, `now` in force. */
export interface ScaleChange {
  was: Spacing;
  now: Spacing;
}

const same = (a: Spacing, b: Spacing): boolean => (a === undefined || b === undefined ? a === b : Math.abs(a.x - b.x) < 1e-9 && Math.abs(a.y - b.y) < 1e-9);
const sizeKey = (h: { width: number; height: number }): string => `${h.width}x${h.height}`;

/** What the page saw of the live frames' scale, per frame size, and the frames whose clinician said "keep its own". */
class LiveScale {
  readonly now = new Map<string, Spacing>();
  /** frame key → the scale in force when the clinician chose to save the frame with its own */
  readonly kept = new Map<string, Spacing>();
  /** the change last said on the frozen frame (said once, not on every frame) */
  said: string | undefined;
}

const scales = new WeakMap<LiveContext, LiveScale>();
function scaleOf(c: LiveContext): LiveScale {
  let s = scales.get(c);
  if (!s) scales.set(c, (s = new LiveScale()));
  return s;
}

/** The frame's own scale against the live frames' of its size now; undefined when they agree (or none came yet). */
export function scaleChangeOf(c: LiveContext, frame: Sized): ScaleChange | undefined {
  const live = scaleOf(c).now;
  const k = sizeKey(frame);
  if (!live.has(k)) return undefined;
  const now = live.get(k);
  return same(frame.pixelSpacing, now) ? undefined : { was: frame.pixelSpacing, now };
}

/** A spacing in words: "0.313 mm/px", or that there is none. */
const words = (s: Spacing): string => (s ? `${mmPerPx(s)} mm/px` : t('noSpacingWords'));
const filled = (key: 'scaleChanged' | 'scaleKeepQuestion' | 'scaleNotSaved', ch: ScaleChange): string => fill(t(key), { was: words(ch.was), now: words(ch.now) });

/** The line said on a frozen frame whose scale changed since ('' when it did not). */
export function scaleLine(c: LiveContext, frame: Sized): string {
  const ch = scaleChangeOf(c, frame);
  return ch ? filled('scaleChanged', ch) : '';
}

/**
 * A raw live frame arrived (also while frozen): its size's scale is noted; a change that concerns the frozen frame
 * is said on it at once, in the alert colour (the clinician may be about to confirm numbers made at the old one).
 */
export function noteLiveScale(c: LiveContext, h: DecodedFrameHeader): void {
  const s = scaleOf(c);
  const k = sizeKey(h);
  if (s.now.has(k) && same(s.now.get(k), h.pixelSpacing)) return;
  s.now.set(k, h.pixelSpacing);
  const f = c.state.cine.frozen ? c.state.cine.current() : undefined;
  if (!f) return;
  const frame = decodeFrameHeader(f.buf);
  const ch = scaleChangeOf(c, frame);
  const said = ch ? `${frameKey(f)}:${words(ch.now)}` : undefined;
  if (ch && said !== s.said) {
    s.said = said;
    c.message(filled('scaleChanged', ch), 'error');
  }
}

/**
 * Before Confirm saves the frame under review: true to go on. When its scale changed since it was captured, the
 * clinician is asked whether to save it with its own scale (once per frame and scale in force); no: nothing is
 * saved and the page says what to do.
 */
export function confirmScale(c: LiveContext, ask: (question: string) => boolean): boolean {
  const review = reviewOf(c.state.mode);
  const f = c.state.cine.current();
  if (!review || !f || c.els.confirm.disabled) return true;
  const ch = scaleChangeOf(c, decodeFrameHeader(review.buf));
  if (!ch) return true;
  const s = scaleOf(c);
  const key = frameKey(f);
  if (s.kept.has(key) && same(s.kept.get(key), ch.now)) return true;
  if (!ask(filled('scaleKeepQuestion', ch))) {
    c.message(filled('scaleNotSaved', ch), 'error');
    return false;
  }
  s.kept.set(key, ch.now);
  return true;
}
