/**
 * Close exam, asked where Close was: one tap to ask, one to close. Closing sends the exam and nothing can be
 * added to it after, so:
 * - a Confirm being saved (its capture or its decisions in flight: state.savingFrames) is waited for, and the
 *   form says so; a Close sent meanwhile made the capture refused (lost) or its decisions amend the sent report;
 * - the question names every frame with unsaved work (an edited proposal, calipers not saved: unsaved-work.ts)
 *   and then offers "Go back to it" (the first such frame, frozen) or "Close without it";
 * - what the question named is checked again when Close is tapped: anything new (an edit, a failed save) asks again.
 */
import { api, type Exam } from '../api';
import type { LiveContext } from '../live/context';
import { fill } from '../live/strings';
import { type UnsavedFrame, goBackTo, unsavedFrames } from '../live/unsaved-work';
import { closingHere, examRefusalText } from './exam-refusal';
import { tr } from './strings';

export interface CloseHooks {
  /** the form's own message */
  say(text: string, tone?: 'ok' | 'error'): void;
  /** the exam was closed: the form is made ready for the next patient */
  closed(exam: Exam): void;
  /** the question was put away (Cancel or Go back): the exam panel shows Close again */
  dismissed(): void;
}

/** How the question lists the unsaved frames: "frame 412 (edited), frame 415 (calipers)". */
export function unsavedList(list: readonly UnsavedFrame[]): string {
  return list.map((u) => fill(tr(u.edit ? 'unsavedEdit' : 'unsavedCalipers'), { n: String(u.seq) })).join(', ');
}

/** Resolves once no Confirm of the page is being saved (polled: confirm.ts marks and unmarks state.savingFrames). */
function savesEnded(c: LiveContext): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => void (c.state.savingFrames.size === 0 ? resolve() : setTimeout(check, 100));
    check();
  });
}

export function wireCloseExam(c: LiveContext, hooks: CloseHooks): { hide(): void } {
  const { els, state } = c;
  const ask = Object.assign(document.createElement('div'), { id: 'close-ask', className: 'pf-ask', hidden: true });
  const askText = Object.assign(document.createElement('p'), { id: 'close-ask-text' });
  const yes = Object.assign(document.createElement('button'), { id: 'close-yes', type: 'button', className: 'big primary' });
  const no = Object.assign(document.createElement('button'), { id: 'close-cancel', type: 'button', className: 'big' });
  ask.append(askText, yes, no);
  els.closeExam.after(ask);
  /** what the question shown named (frameKeys), and the frame Go back shows */
  let asked = '';
  let back: string | undefined;

  /** Waits for the saves in progress, saying so; false when the exam changed meanwhile. */
  const waitForSaves = async (exam: Exam): Promise<boolean> => {
    if (state.savingFrames.size === 0) return true;
    hooks.say(tr('closeWaits'), 'ok');
    await savesEnded(c);
    hooks.say('');
    return state.exam?.id === exam.id;
  };
  const word = (list: UnsavedFrame[]): void => {
    askText.textContent = list.length ? `${fill(tr('closeUnsaved'), { list: unsavedList(list) })} ${tr('closeAsk')}` : tr('closeAsk');
    yes.textContent = tr(list.length ? 'closeWithout' : 'closeYes');
    no.textContent = tr(list.length ? 'goBack' : 'cancel');
  };
  word([]);
  const show = (): void => {
    const list = unsavedFrames(c);
    asked = list.map((u) => `${u.frame}:${u.edit}:${u.calipers}`).join(' ');
    back = list[0]?.frame;
    word(list);
    ask.hidden = false;
    els.closeExam.hidden = true;
  };
  const busy = (on: boolean): void => {
    els.closeExam.disabled = on;
    yes.disabled = on;
    no.disabled = on;
  };

  els.closeExam.addEventListener('click', () => {
    const exam = state.exam;
    if (!exam || els.closeExam.disabled) return;
    busy(true);
    void waitForSaves(exam).then((same) => (busy(false), same && show()));
  });
  no.addEventListener('click', () => {
    ask.hidden = true;
    hooks.dismissed();
    if (back) goBackTo(c, back);
  });
  yes.addEventListener('click', () => {
    const exam = state.exam;
    if (!exam || yes.disabled) return;
    busy(true);
    void waitForSaves(exam).then((same) => {
      if (!same) return busy(false);
      const now = unsavedFrames(c)
        .map((u) => `${u.frame}:${u.edit}:${u.calipers}`)
        .join(' ');
      if (now !== asked) return (busy(false), show()); // an edit or a failed save since the question: asked again
      const undo = closingHere(exam.id);
      api
        .closeExam(exam.id, els.operator.value.trim() || 'unknown')
        .then(
          () => hooks.closed(exam),
          (err: Error) => (undo(), hooks.say(examRefusalText(err, exam.id))), // closed on another device: dropped here too
        )
        .finally(() => busy(false));
    });
  });
  els.lang.addEventListener('change', () => word(ask.hidden ? [] : unsavedFrames(c)));
  return { hide: () => void (ask.hidden = true) };
}
