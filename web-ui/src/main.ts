/**
 * The page's wiring, nothing else: elements, state, the live socket, the exam-type and screen registries.
 * What each part does lives in its module (web-ui/README.md has the map).
 */
import './style.css';
import { FrameKind, TASK_OF_EXAM, decodeFrameHeader, type DecodedFrameHeader, type ServerMessage } from '../../src/protocol/index.js';
import { wireAccess } from './access/wire';
import { bindElements } from './dom/elements';
import { examTypeList } from './exam-types/index';
import { type Lang, applyI18n, currentLang, setLang, t } from './i18n';
import { confirmReview } from './live/confirm';
import { createLiveContext, render } from './live/context';
import { EnhancedView } from './live/enhance';
import { wireExamPanel } from './live/exam-panel';
import { FrameView } from './live/frame-view';
import { noteLiveScale } from './live/frame-scale';
import { modelsInstalled } from './live/model-availability';
import { showResultCommon } from './live/results-panel';
import { setFrozen, wireReview } from './live/review';
import { wireClip } from './live/clip';
import { LiveSocket } from './live/socket';
import { StatusBar } from './live/status';
import { screens, wireScreens } from './screens/index';
import { createState, isFrozen } from './state';
import { installTestHooks } from './test-hooks';

const els = bindElements();
const state = createState();
const c = createLiveContext(els, state, new FrameView(els.frame));
const status = new StatusBar(els, state);
/** Frame-to-paint latency samples, kept in test builds only (the bench reads them). */
const paint: number[] | undefined = import.meta.env.MODE === 'test' ? [] : undefined;

function onFrame(buf: ArrayBuffer): void {
  let h: DecodedFrameHeader;
  try {
    h = decodeFrameHeader(buf);
  } catch {
    return; // not a frame this page can read: never drawn
  }
  if (h.kind === FrameKind.enhanced) {
    if (enhance.on && !isFrozen(state.mode)) {
      enhance.drew();
      render(c, buf, state.latest, h);
    }
    return; // never in the cine: what is frozen, reviewed and captured is the raw frame
  }
  noteLiveScale(c, h); // the scale in force, also while frozen: a frozen frame captured at another is said so
  state.cine.push(h.seq, buf, h.timestampMs); // the header is read once per frame, here
  status.frameArrived();
  if (isFrozen(state.mode) || enhance.showingEnhanced()) return;
  const t0 = performance.now();
  render(c, buf, state.latest, h);
  if (paint) requestAnimationFrame(() => paint.length < 10000 && paint.push(performance.now() - t0));
}

function onMessage(msg: ServerMessage): void {
  switch (msg.type) {
    case 'hello':
      enhance.hello(msg.models);
      modelsInstalled(c, msg.models); // the exam type's model missing is said plainly
      socket.send({ type: 'exam-type', examType: state.examType });
      if (msg.provider) els.provider.textContent = `${t('provider')} ${msg.provider}`;
      return;
    case 'status':
      if (msg.provider) els.provider.textContent = `${t('provider')} ${msg.provider}`;
      return;
    case 'enhance':
      return enhance.answered(msg);
    case 'probe':
      if (msg.event.kind === 'freeze' && msg.event.frozen !== state.cine.frozen) setFrozen(c, msg.event.frozen); // the probe's freeze button
      return;
    case 'result': {
      if (msg.result.task === 'enhance') return msg.result.enhanced ? undefined : enhance.leftRaw();
      if (msg.result.task !== TASK_OF_EXAM[state.examType]) return; // another exam type's model
      state.cine.attach(msg);
      if (isFrozen(state.mode)) return;
      state.latest = msg;
      if (c.view.shown) render(c, c.view.shown, msg, c.view.shownHeader); // on its own frame if that is still shown, else marked stale
      showResultCommon(els, msg);
      c.examType().showResult(msg, c.env);
    }
  }
}

const socket = new LiveSocket({ open: () => status.connected(true), closed: (why) => (status.connected(false, why), gate.recheck()), frame: onFrame, message: onMessage });
const enhance = new EnhancedView(els, socket);
// first: every other language listener (the exam form's, the panels') then reads the language just chosen
els.lang.addEventListener('change', () => setLang(els.lang.value as Lang));
const examPanel = wireExamPanel(c, (examType) => socket.send({ type: 'exam-type', examType }));
for (const m of examTypeList) m.setup?.(c.env);
wireReview(c);
wireClip(c); // Save clip, beside Calibrate
const gate = wireAccess(els, wireScreens(els, screens, c.message), socket); // sign-in, lock, role tabs
els.confirm.addEventListener('click', () => void confirmReview(c, examPanel.show));
if (import.meta.env.MODE === 'test') installTestHooks(state, paint ?? []);

els.lang.value = currentLang();
examPanel.setExamType(state.examType);
applyI18n();
examPanel.show();
status.start();
void gate.start(); // the live socket connects once someone is signed in
