import './style.css';
import { ellipsePerimeter } from '../../src/analysis/ellipse';
import { hadlockGaWeeksFromHc, intergrowthHcCentile } from '../../src/analysis/biometry';
import { api, type Exam } from './api';
import { Cine } from './cine';
import { type EllipseGeom, type HandleId, dragHandle, drawEditable, hitHandle } from './editable-ellipse';
import { type Lang, applyI18n, currentLang, flagMessage, setLang, t } from './i18n';
import { type BreastLesionResult, type FrameHeader, type ResultMessage, decodeHeader } from './protocol';
import { type CaliperHandle, type Calipers, caliperEnd, caliperLength, calipersOf, dragCaliper, drawLesion, hitCaliper, nearestOutlinePoint, pushOutline, remeasure } from './breast';
import { showExams, showGrowth, showSources, showSystem, switchSource } from './pages';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('frame');
const ctx = canvas.getContext('2d', { alpha: false })!;
const overlayToggle = $<HTMLInputElement>('overlay');
const opacity = $<HTMLInputElement>('opacity');
const scrub = $<HTMLInputElement>('scrub');

const cine = new Cine(150); // 5 s at 30 fps; a saved frame is sent back to the daemon, so no server ring limits it
let image: ImageData | undefined;
let header: FrameHeader | undefined;
let latest: ResultMessage | undefined;
let lastFrameAt = 0;
let frames = 0;
let fpsWindowStart = performance.now();
let exam: Exam | undefined;
/** While frozen: the AI proposal being reviewed and the clinician's edit of it. */
let proposal: { seq: number; buf: ArrayBuffer; ai: EllipseGeom; edit: EllipseGeom; result: ResultMessage } | undefined;
let dragging: HandleId | undefined;
/** Frame-to-paint latency (message received → first animation frame after drawing), for the bench. */
const paint: number[] = [];
(window as unknown as { sonoPaintStats: () => number[] }).sonoPaintStats = () => paint.splice(0);
let swipeFrom: number | undefined;
/** Two-point calibration in progress: the points tapped so far, in frame pixels. */
let calPoints: Array<[number, number]> | undefined;
/** Exam type: which model's results are shown and which measurement tools are offered. */
let examType: 'obstetric' | 'breast' = 'obstetric';
const taskOf = (t: typeof examType): string => (t === 'breast' ? 'breast-lesion' : 'fetal-head');
/** While frozen in a breast exam: the lesion under review and the clinician's calipers and categories. */
let lesionReview: { buf: ArrayBuffer; result: BreastLesionResult; ai: Calipers; edit: Calipers; outline: number[] } | undefined;
let caliperDrag: CaliperHandle | undefined;
/** An outline point being pushed: its index and where the pointer was last. */
let outlineDrag: { k: number; x: number; y: number } | undefined;
/**
 * Enhanced view (display only): the clinician's choice, remembered per user (the operator name) on this
 * device. While on, the daemon runs its enhancer and sends enhanced frames, drawn in place of raw ones;
 * when none came for half a second (blank or colour frame, enhancer busy), raw frames are drawn again.
 */
const enhanceBox = $<HTMLInputElement>('enhance');
let liveSocket: WebSocket | undefined;
let enhancedAt = 0;
const enhanceKey = (): string => `sonoedge.enhance.${($('operator') as HTMLInputElement).value.trim() || '-'}`;
function sendEnhance(): void {
  if (liveSocket?.readyState === WebSocket.OPEN) liveSocket.send(JSON.stringify({ type: 'enhance', on: enhanceBox.checked }));
}
enhanceBox.addEventListener('change', () => {
  localStorage.setItem(enhanceKey(), enhanceBox.checked ? '1' : '0');
  enhancedAt = 0; // off: the next raw frame is drawn at once
  sendEnhance();
});
$('operator').addEventListener('change', () => {
  if ($('enhance-row').hidden) return;
  enhanceBox.checked = localStorage.getItem(enhanceKey()) === '1';
  enhancedAt = 0;
  sendEnhance();
});

function render(buf: ArrayBuffer, r: ResultMessage | undefined): void {
  const h = decodeHeader(buf);
  if (!h) return;
  if (h.kind === 0) header = h; // an enhanced frame is display only: numbers and captures stay on raw frames
  if (!image || image.width !== h.width || image.height !== h.height) {
    canvas.width = h.width;
    canvas.height = h.height;
    image = ctx.createImageData(h.width, h.height);
  }
  const px = new Uint8Array(buf, h.pixelOffset);
  const out = image.data;
  if (h.channels === 1) {
    for (let i = 0, j = 0; i < px.length; i++, j += 4) {
      const v = px[i]!;
      out[j] = v; out[j + 1] = v; out[j + 2] = v; out[j + 3] = 255;
    }
  } else {
    for (let i = 0, j = 0; i < px.length; i += 3, j += 4) {
      out[j] = px[i]!; out[j + 1] = px[i + 1]!; out[j + 2] = px[i + 2]!; out[j + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  const handleR = Math.max(14, h.width / 40);
  if (lesionReview) drawLesion(ctx, lesionReview.result, Number(opacity.value) / 100, lesionReview.edit, handleR, lesionReview.outline);
  else if (proposal) drawEditable(ctx, proposal.edit, handleR);
  else if (r && overlayToggle.checked && h.seq - r.seq < 15) {
    if (r.result.task === 'breast-lesion') drawLesion(ctx, r.result, Number(opacity.value) / 100, undefined, handleR);
    else drawOverlay(r);
  }
}

function drawOverlay(r: ResultMessage): void {
  const res = r.result;
  if (res.task !== 'fetal-head' || !res.detected) return;
  const c = res.contour;
  if (c && c.length >= 6) {
    ctx.beginPath();
    ctx.moveTo(c[0]!, c[1]!);
    for (let i = 2; i < c.length; i += 2) ctx.lineTo(c[i]!, c[i + 1]!);
    ctx.closePath();
    ctx.fillStyle = `rgba(34, 211, 238, ${Number(opacity.value) / 100})`;
    ctx.fill();
  }
  const e = res.ellipse;
  if (e) {
    ctx.beginPath();
    ctx.ellipse(e.cx, e.cy, e.semiMajor, e.semiMinor, (e.angleDeg * Math.PI) / 180, 0, 2 * Math.PI);
    ctx.strokeStyle = res.flags.some((f) => f.severity !== 'info') ? '#fbbf24' : '#22d3ee';
    ctx.lineWidth = 2;
    ctx.stroke();
  }
}

/** Measurements of an ellipse in frame pixels, as the analysis computes them (same code, src/analysis). */
function measure(e: EllipseGeom): { hc?: number; bpd?: number; ofd?: number; ga?: number; centile?: string } {
  const sp = header?.pixelSpacing;
  if (!sp) return {};
  const a = e.semiMajor * sp.x;
  const b = e.semiMinor * sp.y;
  const hc = ellipsePerimeter(a, b);
  const out: { hc?: number; bpd?: number; ofd?: number; ga?: number; centile?: string } = { hc, bpd: 2 * b, ofd: 2 * a, ga: hadlockGaWeeksFromHc(hc) };
  if (exam?.datingGaWeeks) {
    const c = intergrowthHcCentile(hc, exam.datingGaWeeks);
    out.centile = c.available ? `${c.centile.toFixed(0)} (z ${c.z.toFixed(2)})` : t('noCentile');
  }
  return out;
}

function showNumbers(m: ReturnType<typeof measure>): void {
  const mm = (v: number | undefined): string => (v === undefined ? '–' : `${v.toFixed(1)} mm`);
  $('hc').textContent = mm(m.hc);
  $('bpd').textContent = mm(m.bpd);
  $('ofd').textContent = mm(m.ofd);
  $('ga').textContent = m.ga === undefined ? '–' : `${Math.floor(m.ga)}w ${Math.round((m.ga % 1) * 7)}d`;
  $('centile').textContent = m.centile ?? '–';
}

/** The lesion's numbers: from the AI, or re-measured from the clinician's calipers while reviewing. */
function showLesion(res: BreastLesionResult, calipers: Calipers | undefined): void {
  const l = res.lesion;
  const pct = (p: number): string => `${Math.round(p * 100)}%`;
  $('b-class').textContent = res.class ? `${t(res.class)} · ${t('confidence')} ${pct(res.confidence)}` : '–';
  $('b-pmal').textContent = pct(res.malignancyProbability);
  const unit = l?.units === 'mm' ? 'mm' : 'px';
  const spacing = l?.units === 'mm' ? header?.pixelSpacing : undefined;
  const len = (v: number | undefined): string => (v === undefined ? '–' : `${v.toFixed(1)} ${unit}`);
  $('b-max').textContent = len(calipers ? caliperLength(calipers.long, spacing) : l?.maxDiameter);
  $('b-perp').textContent = len(calipers ? caliperLength(calipers.perp, spacing) : l?.perpendicularDiameter);
  if (!lesionReview) {
    ($('b-orient') as HTMLSelectElement).value = l?.orientation.assessment ?? '';
    ($('b-margin') as HTMLSelectElement).value = l?.margin.assessment ?? '';
  }
  $('b-summary').textContent = res.summary;
}

function showResult(r: ResultMessage): void {
  const res = r.result;
  if (res.task === 'breast-lesion') {
    if (!lesionReview) showLesion(res, undefined);
    $('quality').textContent = `${t('confidence')} ${Math.round(res.confidence * 100)}%`;
  } else {
    if (!proposal) {
      showNumbers(res.ellipse ? measure(res.ellipse) : {});
      if (res.hcMm !== undefined) $('hc').textContent = `${res.hcMm.toFixed(1)} mm`;
    }
    $('quality').textContent = `${Math.round(res.quality.score * 100)}% · ${t('confidence')} ${Math.round(res.confidence * 100)}%`;
  }
  $('flags').replaceChildren(...res.flags.map((f) => Object.assign(document.createElement('li'), { textContent: flagMessage(f.code, f.message), className: f.severity })));
  $('latency').textContent = `${t('latency')} ${r.timings.totalMs.toFixed(0)} ms`;
  $('provider').textContent = `${t('provider')} ${r.provider}`;
  $('model').textContent = `${r.modelId} ${r.modelVersion}`;
}

function setState(key: 'unverified' | 'edited' | 'saved'): void {
  const el = $('state');
  el.dataset.i18n = key;
  el.textContent = t(key);
  el.className = key === 'saved' ? 'saved' : 'unverified';
}

function showFrozen(): void {
  const f = cine.current();
  if (!f) return;
  const r = cine.resultFor(cine.index);
  // the measured frame is the one the result was computed on (it may be a little before the scrubbed one)
  const measured = (r && cine.frames.find((x) => x.seq === r.seq)) ?? f;
  proposal = r?.result.task === 'fetal-head' && r.result.ellipse ? { seq: measured.seq, buf: measured.buf, ai: { ...r.result.ellipse }, edit: { ...r.result.ellipse }, result: r } : undefined;
  const lesion = r?.result.task === 'breast-lesion' ? r.result : undefined;
  const cal = lesion && calipersOf(lesion);
  lesionReview = undefined;
  if (r) showResult(r);
  lesionReview = lesion && cal ? { buf: measured.buf, result: lesion, ai: cal, edit: { long: { ...cal.long }, perp: { ...cal.perp } }, outline: lesion.lesion!.outline.slice() } : undefined;
  render(f.buf, r);
  if (proposal) showNumbers(measure(proposal.edit));
  setState('unverified');
  scrub.value = String(cine.index);
  ($('confirm') as HTMLButtonElement).disabled = !proposal && !lesionReview;
  ($('reset') as HTMLButtonElement).disabled = !proposal && !lesionReview;
  ($('b-orient') as HTMLSelectElement).disabled = !lesionReview;
  ($('b-margin') as HTMLSelectElement).disabled = !lesionReview;
}

function setFrozen(on: boolean): void {
  if (on) {
    cine.freeze();
    scrub.max = String(Math.max(0, cine.frames.length - 1));
    showFrozen();
  } else {
    cine.unfreeze();
    proposal = undefined;
    lesionReview = undefined;
    ($('b-orient') as HTMLSelectElement).disabled = true;
    ($('b-margin') as HTMLSelectElement).disabled = true;
    setState('unverified');
  }
  $('frozen-badge').hidden = !on;
  scrub.disabled = !on;
  ($('best') as HTMLButtonElement).disabled = !on;
  $('freeze').dataset.i18n = on ? 'unfreeze' : 'freeze';
  $('freeze').textContent = t(on ? 'unfreeze' : 'freeze');
  ($('calibrate') as HTMLButtonElement).disabled = !on;
  if (!on) {
    ($('confirm') as HTMLButtonElement).disabled = true;
    ($('reset') as HTMLButtonElement).disabled = true;
    calPoints = undefined;
    $('cal-row').hidden = true;
  }
}

function toFrame(ev: PointerEvent): [number, number] {
  const rect = canvas.getBoundingClientRect();
  return [((ev.clientX - rect.left) / rect.width) * canvas.width, ((ev.clientY - rect.top) / rect.height) * canvas.height];
}

canvas.addEventListener('pointerdown', (ev) => {
  if (!cine.frozen) return;
  const [x, y] = toFrame(ev);
  if (calPoints) {
    if (calPoints.length < 2) calPoints.push([x, y]);
    ctx.fillStyle = '#f472b6';
    for (const [px, py] of calPoints) {
      ctx.beginPath();
      ctx.arc(px, py, 6, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (calPoints.length === 2) $('cal-row').hidden = false;
    return;
  }
  dragging = proposal && hitHandle(proposal.edit, x, y, Math.max(24, canvas.width / 20));
  const reach = Math.max(24, canvas.width / 20);
  caliperDrag = lesionReview && hitCaliper(lesionReview.edit, x, y, reach);
  const k = lesionReview ? nearestOutlinePoint(lesionReview.outline, x, y, reach) : undefined;
  // caliper ends lie on the outline: a caliper end wins unless a point of the outline is clearly nearer
  if (caliperDrag && k !== undefined && lesionReview) {
    const [ex, ey] = caliperEnd(lesionReview.edit, caliperDrag);
    if (Math.hypot(lesionReview.outline[2 * k]! - x, lesionReview.outline[2 * k + 1]! - y) + 4 < Math.hypot(ex - x, ey - y)) caliperDrag = undefined;
  }
  outlineDrag = !caliperDrag && k !== undefined ? { k, x, y } : undefined;
  if (!dragging && !caliperDrag && !outlineDrag) swipeFrom = ev.clientX;
  if (dragging || caliperDrag || outlineDrag) {
    try {
      canvas.setPointerCapture(ev.pointerId);
    } catch {
      /* synthetic or already-ended pointers cannot be captured; dragging still works */
    }
  }
});
canvas.addEventListener('pointermove', (ev) => {
  if (swipeFrom !== undefined && !dragging && !caliperDrag && !outlineDrag) {
    // swipe through the cine: one frame per 12 px
    const steps = Math.trunc((ev.clientX - swipeFrom) / 12);
    if (steps !== 0) {
      cine.index = Math.max(0, Math.min(cine.frames.length - 1, cine.index + steps));
      swipeFrom = ev.clientX;
      showFrozen();
    }
    return;
  }
  if (lesionReview && outlineDrag) {
    // push the outline, then re-take every measure from it (calipers, orientation and margin follow)
    const [ox, oy] = toFrame(ev);
    lesionReview.outline = pushOutline(lesionReview.outline, outlineDrag.k, ox - outlineDrag.x, oy - outlineDrag.y, Math.max(30, canvas.width / 12));
    outlineDrag.x = ox;
    outlineDrag.y = oy;
    const shape = remeasure(lesionReview.outline, lesionReview.result.lesion?.units === 'mm' ? header?.pixelSpacing : undefined);
    if (shape) {
      lesionReview.edit = { long: shape.longAxis, perp: shape.perpendicularAxis };
      ($('b-orient') as HTMLSelectElement).value = shape.orientation.assessment;
      ($('b-margin') as HTMLSelectElement).value = shape.margin.assessment;
    }
    const of = cine.current();
    if (of) render(of.buf, undefined);
    showLesion(lesionReview.result, lesionReview.edit);
    setState('edited');
    return;
  }
  if (lesionReview && caliperDrag) {
    const [cx, cy] = toFrame(ev);
    lesionReview.edit = dragCaliper(lesionReview.edit, caliperDrag, cx, cy);
    const cf = cine.current();
    if (cf) render(cf.buf, undefined);
    showLesion(lesionReview.result, lesionReview.edit);
    setState('edited');
    return;
  }
  if (!proposal || !dragging) return;
  const [x, y] = toFrame(ev);
  proposal.edit = dragHandle(proposal.edit, dragging, x, y);
  const f = cine.current();
  if (f) render(f.buf, undefined);
  showNumbers(measure(proposal.edit));
  setState('edited');
});
const endPointer = (): void => {
  dragging = undefined;
  caliperDrag = undefined;
  outlineDrag = undefined;
  swipeFrom = undefined;
};
canvas.addEventListener('pointerup', endPointer);
canvas.addEventListener('pointercancel', endPointer);

$('freeze').addEventListener('click', () => setFrozen(!cine.frozen));
$('best').addEventListener('click', () => {
  cine.index = cine.bestIndex();
  showFrozen();
});
scrub.addEventListener('input', () => {
  cine.index = Number(scrub.value);
  showFrozen();
});
$('calibrate').addEventListener('click', () => {
  calPoints = [];
  $('cal-row').hidden = true;
  message(t('calTap'));
});
$('cal-apply').addEventListener('click', () => {
  const mm = Number(($('cal-mm') as HTMLInputElement).value);
  if (!calPoints || calPoints.length !== 2 || !(mm > 0)) return;
  const [[x1, y1], [x2, y2]] = calPoints as [[number, number], [number, number]];
  void fetch('/api/source/calibration', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x1, y1, x2, y2, distanceMm: mm }) })
    .then(async (r) => {
      const j = (await r.json()) as { pixelSpacing?: { x: number }; message?: string };
      message(r.ok && j.pixelSpacing ? `${t('calibrated')}: ${j.pixelSpacing.x.toFixed(4)} mm/px` : (j.message ?? `HTTP ${r.status}`));
    });
  calPoints = undefined;
  $('cal-row').hidden = true;
});
$('reset').addEventListener('click', () => {
  if (!proposal && !lesionReview) return;
  if (proposal) proposal.edit = { ...proposal.ai };
  showFrozen();
});
for (const id of ['b-orient', 'b-margin']) $(id).addEventListener('change', () => lesionReview && setState('edited'));
$('confirm').addEventListener('click', () => void confirmProposal());
$('lang').addEventListener('change', () => setLang(($('lang') as HTMLSelectElement).value as Lang));

function message(text: string): void {
  $('message').textContent = text;
}

/**
 * Saves a reviewed frozen frame: checks the exam and operator, posts the frame back as a capture, lets
 * `decide` confirm or correct each of its measurements (true when anything was corrected), then shows
 * the updated exam.
 */
async function saveReview(buf: ArrayBuffer, decide: (capture: Exam['captures'][number], operator: string) => Promise<boolean>): Promise<void> {
  const operator = ($('operator') as HTMLInputElement).value.trim();
  if (!exam) return message(t('needExam'));
  if (!operator) return message(t('needOperator'));
  try {
    const capture = await api.captureFrame(exam.id, buf, operator);
    const edited = await decide(capture, operator);
    exam = await api.getExam(exam.id);
    setState('saved');
    message(t(edited ? 'corrected' : 'confirmed'));
    showExam();
  } catch (err) {
    message((err as Error).message);
  }
}

/** Saves the frozen frame and the clinician's decision on each lesion finding (corrected where changed). */
function confirmLesion(review: NonNullable<typeof lesionReview>): Promise<void> {
  return saveReview(review.buf, async (capture, operator) => {
    const spacing = review.result.lesion?.units === 'mm' ? header?.pixelSpacing : undefined;
    const moved = (a: object, b: object): boolean => JSON.stringify(a) !== JSON.stringify(b);
    const calipers: Record<string, [boolean, { x1: number; y1: number; x2: number; y2: number }]> = {
      lesion_max_diameter: [moved(review.edit.long, review.ai.long), review.edit.long],
      lesion_perpendicular_diameter: [moved(review.edit.perp, review.ai.perp), review.edit.perp],
    };
    const chosen: Record<string, string> = { lesion_orientation: ($('b-orient') as HTMLSelectElement).value, lesion_margin: ($('b-margin') as HTMLSelectElement).value };
    let edited = false;
    const outlineMoved = moved(review.outline, review.result.lesion?.outline ?? []);
    for (const m of capture.measurements) {
      const c = calipers[m.kind];
      const text = chosen[m.kind];
      if (c?.[0]) {
        const g = c[1];
        await api.decide(m.id, 'corrected', operator, { value: Number(caliperLength(g, spacing).toFixed(2)), geometry: g });
        edited = true;
      } else if (m.kind === 'lesion_margin' && outlineMoved) {
        await api.decide(m.id, 'corrected', operator, { text, geometry: { outline: review.outline.map((v) => Math.round(v * 10) / 10) } });
        edited = true;
      } else if (text && text !== m.aiText) {
        await api.decide(m.id, 'corrected', operator, { text });
        edited = true;
      } else await api.decide(m.id, 'confirmed', operator);
    }
    return edited;
  });
}

function confirmProposal(): Promise<void> {
  if (lesionReview) return confirmLesion(lesionReview);
  const p = proposal;
  if (!p) return Promise.resolve();
  return saveReview(p.buf, async (capture, operator) => {
    const edited = JSON.stringify(p.edit) !== JSON.stringify(p.ai);
    const values = measure(p.edit);
    const final: Record<string, number | undefined> = { hc: values.hc, bpd: values.bpd, ofd: values.ofd, ga: values.ga };
    for (const m of capture.measurements) {
      const v = final[m.kind];
      if (edited && v !== undefined) await api.decide(m.id, 'corrected', operator, { value: Number(v.toFixed(2)) });
      else await api.decide(m.id, 'confirmed', operator);
    }
    return edited;
  });
}

function showExam(): void {
  const form = $('exam-form');
  form.hidden = !!exam;
  $('close-exam').hidden = !exam;
  $('exam-summary').textContent = exam
    ? `${exam.anonymous ? t('anonymous') : (exam.patient?.name ?? exam.patient?.id ?? '')} · ${exam.captures.length} ${t('captures')}`
    : t('noExam');
}

$('exam-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const name = ($('p-name') as HTMLInputElement).value.trim();
  const id = ($('p-id') as HTMLInputElement).value.trim();
  const ga = Number(($('p-ga') as HTMLInputElement).value);
  const operator = ($('operator') as HTMLInputElement).value.trim();
  void api.createExam({ examType, ...(name || id ? { patient: { ...(name ? { name } : {}), ...(id ? { id } : {}) } } : {}), ...(ga ? { datingGaWeeks: ga } : {}), ...(operator ? { operator } : {}) })
    .then((e) => {
      exam = e;
      setExamType(e.examType);
      message('');
      showExam();
    }, (err: Error) => message(err.message));
});
$('close-exam').addEventListener('click', () => {
  if (!exam) return;
  void api.closeExam(exam.id, ($('operator') as HTMLInputElement).value.trim() || 'unknown').then(() => {
    exam = undefined;
    showExam();
    setExamType(examType); // the type may be chosen again
  }, (err: Error) => message(err.message));
});

let retryMs = 500;
function connect(): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`);
  ws.binaryType = 'arraybuffer';
  liveSocket = ws;
  const conn = $('conn');
  ws.onopen = () => {
    retryMs = 500;
    conn.dataset.i18n = 'live';
    conn.textContent = t('live');
    conn.className = 'pill live';
  };
  ws.onmessage = (ev) => {
    if (ev.data instanceof ArrayBuffer) {
      const h = decodeHeader(ev.data);
      if (!h) return;
      if (h.kind === 1) {
        if (enhanceBox.checked && !cine.frozen) {
          enhancedAt = performance.now();
          render(ev.data, latest);
        }
        return; // never in the cine: what is frozen, reviewed and captured is the raw frame
      }
      cine.push(h.seq, ev.data);
      lastFrameAt = performance.now();
      frames++;
      if (!cine.frozen && !(enhanceBox.checked && performance.now() - enhancedAt < 500)) {
        const t0 = performance.now();
        render(ev.data, latest);
        requestAnimationFrame(() => {
          if (paint.length < 10000) paint.push(performance.now() - t0);
        });
      }
      return;
    }
    const msg = JSON.parse(ev.data as string) as { type: string; provider?: string };
    if (msg.type === 'hello') {
      const has = ((msg as { models?: Array<{ task: string }> }).models ?? []).some((m) => m.task === 'enhance');
      $('enhance-row').hidden = !has;
      enhanceBox.checked = has && localStorage.getItem(enhanceKey()) === '1';
      if (enhanceBox.checked) sendEnhance();
      sendExamType();
    } else if (msg.type === 'enhance') {
      const a = msg as unknown as { on: boolean; available: boolean };
      if (!a.available) {
        enhanceBox.checked = false;
        $('enhance-row').hidden = true;
      }
    }
    if (msg.type === 'result' && (msg as unknown as { result: { task: string } }).result.task === 'enhance') {
      if (!(msg as unknown as { result: { enhanced: boolean } }).result.enhanced) enhancedAt = 0; // left raw: show raw
      return;
    }
    if (msg.type === 'result') {
      const r = msg as ResultMessage;
      if (r.result.task !== taskOf(examType)) return; // another exam type's model
      cine.attach(r);
      if (!cine.frozen) {
        latest = r;
        showResult(r);
      }
    } else if (msg.type === 'probe') {
      const e = (msg as unknown as { event: { kind: string; frozen?: boolean } }).event;
      if (e.kind === 'freeze' && e.frozen !== cine.frozen) setFrozen(!!e.frozen); // the probe's freeze button
    } else if ((msg.type === 'hello' || msg.type === 'status') && msg.provider) {
      $('provider').textContent = `${t('provider')} ${msg.provider}`;
    }
  };
  ws.onclose = () => {
    conn.dataset.i18n = 'reconnecting';
    conn.textContent = t('reconnecting');
    conn.className = 'pill down';
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
  ws.onerror = () => ws.close();
}

// Never show a stale frame as live.
setInterval(() => {
  const now = performance.now();
  $('stale').hidden = cine.frozen || now - lastFrameAt < 1000;
  const dt = (now - fpsWindowStart) / 1000;
  if (dt >= 1) {
    $('fps').textContent = `${(frames / dt).toFixed(1)} ${t('fps')}`;
    frames = 0;
    fpsWindowStart = now;
  }
}, 250);

document.querySelectorAll<HTMLButtonElement>('.tab').forEach((b) => b.addEventListener('click', () => {
  const view = b.dataset.view!;
  document.querySelectorAll<HTMLButtonElement>('.tab').forEach((x) => x.classList.toggle('active', x === b));
  document.querySelectorAll<HTMLElement>('.view').forEach((v) => (v.hidden = v.id !== `view-${view}`));
  const load = view === 'exams' ? showExams() : view === 'growth' ? showGrowth() : view === 'system' ? Promise.all([showSystem(), showSources()]) : undefined;
  void load?.catch((err: Error) => message(err.message));
}));

$('source-apply').addEventListener('click', () => {
  $('source-message').textContent = '…';
  void switchSource().then((m) => {
    $('source-message').textContent = m;
    void showSystem();
  });
});

/** Tells the daemon which exam type this page shows: only that type's model then needs to run. */
function sendExamType(): void {
  if (liveSocket?.readyState === WebSocket.OPEN) liveSocket.send(JSON.stringify({ type: 'exam-type', examType }));
}

/**
 * Switches the live view between the obstetric and breast tools (fixed while an exam is open). Starting or
 * closing an exam re-applies the same type: the lesion panel then keeps its numbers and summary together.
 * It used to blank only the summary, leaving diameters with no "unverified" line until the next result.
 */
function setExamType(type: typeof examType): void {
  const changed = type !== examType;
  examType = type;
  sendExamType();
  ($('exam-type') as HTMLSelectElement).value = type;
  ($('exam-type') as HTMLSelectElement).disabled = !!exam;
  $('measurements').hidden = type !== 'obstetric';
  $('breast-measurements').hidden = type !== 'breast';
  $('panel-title').dataset.i18n = type === 'breast' ? 'breastLesion' : 'fetalHead';
  $('panel-title').textContent = t(type === 'breast' ? 'breastLesion' : 'fetalHead');
  $('p-ga').hidden = type !== 'obstetric';
  if (changed) {
    for (const id of ['b-class', 'b-pmal', 'b-max', 'b-perp']) $(id).textContent = '–';
    $('b-summary').textContent = '';
    latest = undefined;
  }
}
$('exam-type').addEventListener('change', () => setExamType(($('exam-type') as HTMLSelectElement).value as typeof examType));
(window as unknown as { sonoCalipers: () => Calipers | undefined }).sonoCalipers = () => lesionReview && structuredClone(lesionReview.edit);
(window as unknown as { sonoOutline: () => number[] | undefined }).sonoOutline = () => lesionReview?.outline.slice();

// For end-to-end tests and support: the ellipse under review, in frame pixels.
(window as unknown as { sonoProposal: () => EllipseGeom | undefined }).sonoProposal = () => proposal && { ...proposal.edit };

($('lang') as HTMLSelectElement).value = currentLang();
applyI18n();
showExam();
connect();
