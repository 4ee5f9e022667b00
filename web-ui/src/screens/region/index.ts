/**
 * The imaging region editor (technicians): on a live frame, drag a rectangle over the part of the
 * grabber's picture that is ultrasound, optionally tap two marks of the scanner's depth scale a known
 * distance apart (the pixel size), and save it with PUT /api/source/region. The saved region is drawn
 * over the live picture. Builds its own section.
 */
import type { RegionStateDto } from '../../../../src/protocol/rest/region.js';
import { ApiError } from '../../api';
import { holdTouches } from '../../dom/hold-touches';
import { FrameView } from '../../live/frame-view';
import { mmPerPx, replaceQuestion } from '../../live/calibration';
import { t } from '../../i18n';
import type { Screen } from '../types';
import { techApi } from '../system/api';
import { h } from '../system/dom';
import { st } from '../system/text';
import { type Pt, type Rect, drawOverlay, rectOf } from './draw';
import { LiveFrames } from './live-frames';

const canvas = h('canvas', { id: 'region-canvas', width: 640, height: 480 });
const view = new FrameView(canvas);
const save = h('button', { className: 'big primary', id: 'region-save', disabled: true });
const scale = h('button', { className: 'big', id: 'region-scale' });
const clear = h('button', { className: 'big', id: 'region-clear' });
const mm = h('input', { type: 'number', id: 'region-scale-mm', min: 0.1, step: 0.1, hidden: true });
const current = h('p', { id: 'region-current' });
const message = h('p', { id: 'region-message', role: 'status' });
const help = h('p', { className: 'help' });
const title = h('h2');

/** What the editor is doing: drawing the rectangle, or collecting the two depth-scale taps. */
let tool: 'rect' | 'scale' = 'rect';
let saved: RegionStateDto | undefined;
let drawing: Rect | undefined;
let anchor: Pt | undefined;
let taps: Pt[] = [];
let root: HTMLElement | undefined;
let last: ArrayBuffer | undefined;

const frameSize = (): { width: number; height: number } => ({ width: canvas.width, height: canvas.height });
const isOpen = (): boolean => !!root && !root.hidden && !document.hidden;

function repaint(): void {
  if (last) view.drawPixels(last);
  drawOverlay(view.ctx, saved, drawing, taps);
}

const frames = new LiveFrames((buf) => {
  if (!isOpen()) return frames.close();
  last = buf;
  repaint();
});

function say(text: string, ok: boolean): void {
  message.textContent = text;
  message.className = ok ? 'ok' : 'error';
}

function describe(s: RegionStateDto): string {
  const r = s.region;
  if (!r) return `${st('regionNone')} (${st(`origin_${s.origin}`)})`;
  const where = `${r.width}×${r.height} @ ${r.x},${r.y}${s.frame ? ` / ${s.frame.width}×${s.frame.height}` : ''}${s.pixelSpacing ? ` · ${s.pixelSpacing.x.toFixed(4)} mm/px` : ''}`;
  return st('regionNow', { r: where, origin: st(`origin_${s.origin}`, { by: s.setBy ?? '?' }) });
}

function show(s: RegionStateDto): void {
  saved = s;
  current.textContent = describe(s);
  repaint();
}

function label(): void {
  title.textContent = st('regionTab');
  help.textContent = st('regionHelp');
  save.textContent = st('regionSave');
  scale.textContent = st('regionScale');
  clear.textContent = st('regionClear');
  mm.placeholder = st('scaleMm');
}

function onDown(ev: PointerEvent): void {
  if (!last) return say(st('regionNoFrame'), false);
  const p = view.toFrame(ev);
  if (tool === 'scale') {
    taps = taps.length >= 2 ? [p] : [...taps, p];
    mm.hidden = taps.length < 2;
    return repaint();
  }
  canvas.setPointerCapture(ev.pointerId);
  anchor = p;
  drawing = rectOf(p, p, frameSize());
}

function onMove(ev: PointerEvent): void {
  if (!anchor) return;
  drawing = rectOf(anchor, view.toFrame(ev), frameSize());
  repaint();
}

function onUp(): void {
  anchor = undefined;
  save.disabled = !drawing || drawing.width < 8 || drawing.height < 8;
}

/** The spacing the current source declares with its frames (undefined: none, or it could not be read). */
const declaredNow = async (): Promise<{ x: number; y: number } | undefined> => (await techApi.calibration().catch(() => undefined))?.sourceDeclares ?? undefined;

async function onSave(): Promise<void> {
  if (!drawing) return;
  const rect = drawing;
  const d = Number(mm.value.replace(',', '.'));
  const [a, b] = taps;
  const scaleTaps = a && b && d > 0 ? { x1: a[0], y1: a[1], x2: b[0], y2: b[1], distanceMm: d } : undefined;
  save.disabled = true;
  // depth-scale taps replace the spacing the source declares with its frames: asked first, dropped on no; a yes
  // is said to the daemon (overrideDeclaredSpacing), which refuses such taps without it (409)
  let declared = scaleTaps ? await declaredNow() : undefined;
  let keepOwn = declared ? !window.confirm(replaceQuestion(declared)) : false;
  const bodyOf = (replace: boolean) => (scaleTaps && !keepOwn ? { rect, scale: scaleTaps, ...(replace ? { overrideDeclaredSpacing: true } : {}) } : { rect });
  try {
    let state: RegionStateDto;
    try {
      state = await techApi.setRegion(bodyOf(declared !== undefined));
    } catch (err) {
      // the source declares a spacing the page had not seen (it could not be read, or a switch since): asked now
      if (!(err instanceof ApiError) || err.code !== 'SONO_SPACING_OVERRIDE_UNCONFIRMED' || !(declared = await declaredNow())) throw err;
      keepOwn = !window.confirm(replaceQuestion(declared));
      state = await techApi.setRegion(bodyOf(true));
    }
    show(state);
    drawing = undefined;
    taps = [];
    mm.hidden = true;
    say(keepOwn && declared ? `${st('regionSaved')}. ${t('scaleKeptDeclared').replace('{mm}', mmPerPx(declared))}` : st('regionSaved'), true);
  } catch (err) {
    save.disabled = false;
    say((err as Error).message, false);
  }
  repaint();
}

function section(): HTMLElement {
  if (root) return root;
  root = h(
    'section',
    { id: 'view-region', className: 'view page', hidden: true },
    title,
    help,
    current,
    h('div', { className: 'region-stage' }, canvas),
    h('div', { className: 'region-actions' }, save, scale, mm, clear),
    message,
  );
  document.body.insertBefore(root, document.querySelector('body > script') ?? null); // the built page has its script in <head>
  return root;
}

export const regionScreen: Screen = {
  id: 'region',
  access: 'technician',
  labelKey: 'regionTab',
  section,
  async open(): Promise<void> {
    label();
    frames.open();
    show(await techApi.region());
  },
  setup(): void {
    section();
    label();
    holdTouches(canvas);
    canvas.addEventListener('pointerdown', onDown);
    canvas.addEventListener('pointermove', onMove);
    canvas.addEventListener('pointerup', onUp);
    canvas.addEventListener('pointercancel', onUp);
    scale.addEventListener('click', () => {
      tool = tool === 'scale' ? 'rect' : 'scale';
      scale.classList.toggle('active', tool === 'scale');
    });
    clear.addEventListener('click', () => {
      drawing = undefined;
      taps = [];
      mm.hidden = true;
      save.disabled = true;
      repaint();
    });
    save.addEventListener('click', () => void onSave());
    document.addEventListener('visibilitychange', () => (isOpen() ? frames.open() : frames.close()));
  },
};
