/**
 * Save clip: on a frozen frame, saves a short cine clip to the open exam (POST /api/exams/:id/clips with the
 * frame messages the page holds, one after another). The clip is up to 3 s (MAX_CLIP_FRAMES, the daemon's cap)
 * centred on the frame shown: the clinician scrubbed to what matters, and the motion on both sides of it is
 * what a clip documents (the cine holds 5 s, more than a PACS reader wants). Only the frames of the shown
 * frame's size and region are taken (a source that changed depth mid-cine gives the run around the frame).
 * One tap = one clip: the button is off while saving, the clip's client key names its frame range, with the
 * first frame's capture time as sequences restart with the source (a double tap or a retry is stored once),
 * and a range already saved says so. The answer shows beside the button.
 */
import type { CineFrame } from './cine';
import { decodeFrameHeader } from '../../../src/protocol/index.js';
import { request } from '../api';
import { t } from '../i18n';
import { type Tone, showAction } from './action-message';
import { examRefusalText } from '../patient-form/exam-refusal';
import type { LiveContext } from './context';
import { formatNumber } from './format';
import { fill } from './strings';
import { clipKey } from './saved-frames';

/** The daemon's cap (src/server/clip-body.ts MAX_CLIP_FRAMES): 3 s at 30 fps. */
export const MAX_CLIP_FRAMES = 90;

interface ClipAnswer {
  id: string;
  frameCount: number;
  durationMs: number;
}

/** A frame's size, region and scale, from its header: a clip holds one of them (a calibration made meanwhile cuts it). */
function geometry(f: CineFrame): string {
  const h = decodeFrameHeader(f.buf);
  const mm = h.pixelSpacing ? `${h.pixelSpacing.x}/${h.pixelSpacing.y}` : '-';
  return `${h.width}x${h.height}x${h.channels}@${h.region.x},${h.region.y},${h.region.width},${h.region.height}:${mm}`;
}

function concat(frames: readonly CineFrame[]): ArrayBuffer {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.buf.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    out.set(new Uint8Array(f.buf), at);
    at += f.buf.byteLength;
  }
  return out.buffer;
}

/**
 * The button and its message line, at the top of the exam column, right under its heading: the clip goes to
 * that exam, and the column scrolls on its own (the controls and tools grids have no row to spare: one more
 * row scrolled the panel at 820×1180 and could push Confirm out of view). Its place never moves: the exam's
 * summary and form come after it.
 */
function elements(c: LiveContext): { button: HTMLButtonElement; message: HTMLElement } {
  const button = Object.assign(document.createElement('button'), { id: 'save-clip', type: 'button', className: 'big', disabled: true, textContent: t('saveClip') });
  button.dataset.i18n = 'saveClip';
  const message = Object.assign(document.createElement('p'), { id: 'clip-message', className: 'action-message' });
  message.setAttribute('role', 'status');
  message.setAttribute('aria-live', 'polite');
  c.els.examSummary.before(button, message);
  return { button, message };
}

export function wireClip(c: LiveContext): void {
  const { state } = c;
  const { button, message } = elements(c);
  const say = (text: string, tone: Tone): void => showAction(message, text, tone);
  const saved = new Set<string>();
  let saving = false;
  // every way of freezing (the button, the probe's key, a test) shows the frozen badge: follow it
  let wasFrozen = false;
  const frozenNow = (): void => {
    button.disabled = saving || !state.cine.frozen;
    if (!state.cine.frozen) say('', 'info');
    // entering review brings the button into view (starting the exam may have scrolled its column down)
    else if (!wasFrozen && button.parentElement) button.parentElement.scrollTop = 0;
    wasFrozen = state.cine.frozen;
  };
  new MutationObserver(frozenNow).observe(c.els.frozenBadge, { attributes: true, attributeFilter: ['hidden'] });

  button.addEventListener('click', () => {
    if (saving || !state.cine.frozen) return;
    const exam = state.exam;
    if (!exam) return say(t('needExam'), 'error');
    const frames = state.cine.clipAround(state.cine.index, MAX_CLIP_FRAMES, geometry);
    if (frames.length < 2) return say(t('clipTooShort'), 'error');
    const key = clipKey(exam.id, frames[0]!.buf, frames[frames.length - 1]!.seq);
    if (saved.has(key)) return say(t('clipAlreadySaved'), 'info');
    saving = true;
    button.disabled = true;
    say(t('clipSaving'), 'info');
    request<ClipAnswer>('POST', `/api/exams/${encodeURIComponent(exam.id)}/clips`, { binary: concat(frames) }, { 'idempotency-key': key })
      .then((clip) => {
        saved.add(key);
        button.dataset.clipId = clip.id;
        say(fill(t('clipSaved'), { n: String(clip.frameCount), s: formatNumber(clip.durationMs / 1000, 1) }), 'ok');
      })
      .catch((err: unknown) => say(examRefusalText(err, exam.id), 'error')) // patient-form/exam-refusal.ts
      .finally(() => {
        saving = false;
        frozenNow();
      });
  });
}
