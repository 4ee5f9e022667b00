/**
 * The caliper tools beside Calibrate (Distance, Area, Clear) and the list of the clinician's measurements at
 * the top of the findings box (fixed height: a measurement added moves no button). Usable on any frozen
 * frame, with or without an AI result or an installed model.
 */
import { decodeFrameHeader } from '../../../src/protocol/index.js';
import type { Key } from '../i18n';
import { reviewOf } from '../state';
import { t } from '../i18n';
import { type LiveContext, caliperLabel, redraw } from './context';
import { isFrameSaving } from './saved-frames';

function button(id: string, key: Key): HTMLButtonElement {
  const b = Object.assign(document.createElement('button'), { id, type: 'button', className: 'big', textContent: t(key), disabled: true });
  b.dataset.i18n = key;
  return b;
}

export function wireCaliperPanel(c: LiveContext): void {
  const { els, calipers } = c;
  const distance = button('tool-distance', 'distance');
  const area = button('tool-area', 'area');
  const clear = button('tool-clear', 'clearCalipers');
  els.calibrate.after(distance, area, clear);
  const list = Object.assign(document.createElement('ul'), { id: 'manual-measures', className: 'manual-measures' });
  list.dataset.i18nLabel = 'clinicianMeasures'; // aria-label, said again in the chosen language (applyI18n)
  list.setAttribute('aria-label', t('clinicianMeasures'));
  els.findings.prepend(list);
  const spacing = (): { x: number; y: number } | undefined => {
    const f = c.state.cine.current();
    return f ? decodeFrameHeader(f.buf).pixelSpacing : undefined;
  };

  c.caliperChanged = () => {
    list.replaceChildren(...calipers.done.map((m) => Object.assign(document.createElement('li'), { textContent: caliperLabel(m) })));
    distance.classList.toggle('active', calipers.tool === 'distance');
    area.classList.toggle('active', calipers.tool === 'area');
    distance.setAttribute('aria-pressed', String(calipers.tool === 'distance'));
    area.setAttribute('aria-pressed', String(calipers.tool === 'area'));
    clear.disabled = distance.disabled || (calipers.done.length === 0 && calipers.pending.length === 0);
    // a measure made after the frame was saved is something new to save: Confirm comes back for it (once a
    // save in flight has ended: it carries the calipers from before, and then turns Confirm on for these)
    const review = reviewOf(c.state.mode);
    if (review && calipers.done.length > calipers.savedCount && !isFrameSaving(c.state, review.buf)) els.confirm.disabled = false;
    redraw(c);
  };
  c.caliperTools = (on) => {
    distance.disabled = !on;
    area.disabled = !on;
    if (!on) calipers.tool = undefined;
    c.caliperChanged();
  };
  const choose = (tool: 'distance' | 'area'): void => {
    calipers.pending = [];
    calipers.tool = calipers.tool === tool ? undefined : tool;
    c.message(calipers.tool ? t(tool === 'distance' ? 'distanceTap' : 'areaTap') : '', 'info');
    c.caliperChanged();
  };
  distance.addEventListener('click', () => choose('distance'));
  area.addEventListener('click', () => {
    if (calipers.tool !== 'area') return choose('area');
    calipers.closeArea(spacing()); // Area again: the traced area is closed and measured
    c.message('', 'info');
    c.caliperChanged();
  });
  clear.addEventListener('click', () => {
    calipers.clear(calipers.seq);
    calipers.tool = undefined;
    c.caliperChanged();
  });
}
