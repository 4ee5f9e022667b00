/**
 * The exam form beside the live view: labelled patient and dating fields checked as typed (fields.ts), the
 * earlier-patient and worklist pickers (pickers.ts), Start, Close with a confirmation (the form is then
 * cleared for the next patient), and resuming the exam left open by a reload. The live view's exam panel
 * calls `wirePatientForm` once and keeps the exam type and summary.
 */
import './patient-form.css';
import { ApiError, api, type Exam } from '../api';
import { failureText } from '../live/action-message';
import type { LiveContext } from '../live/context';
import { setFrozen } from '../live/review';
import { fill } from '../live/strings';
import { dropUnsaved, forgetKept } from '../live/unsaved-work';
import { userChange } from '../access/user-change';
import { unsavedList, wireCloseExam } from './close-exam';
import { buildPatientFields } from './fields';
import { examSession } from './exam-session';
import { examRefusalText } from './exam-refusal';
import { patientApi } from './patient-api';
import { buildPickers } from './pickers';
import { buildSamePatientAsk } from './same-patient';
import { applyFormStrings, tr } from './strings';

export interface ExamPanelHooks {
  show(): void;
  setExamType(type: Exam['examType']): void;
}

export function wirePatientForm(c: LiveContext, panel: ExamPanelHooks): { showDating(shown: boolean): void } {
  const { els, state } = c;
  /** the exam form's own answer, under the form (live actions answer beside their buttons) */
  const say = (text: string, tone: 'ok' | 'error' = 'error'): void => {
    els.message.textContent = text;
    els.message.className = text ? tone : '';
  };
  const form = els.examForm;
  const fields = buildPatientFields(els, form);
  const pickers = buildPickers(form.insertBefore(document.createElement('div'), fields.grid), (p) => fields.fill(p));
  /**
   * Live again with an empty cine: the frames kept so far (the one frozen too) may show the patient before, and
   * nothing kept of them (an edit, calipers) may be saved to the next exam.
   */
  const cutCine = (): void => {
    forgetKept(c);
    if (state.cine.frozen) setFrozen(c, false);
    state.cine.cut();
  };
  const opened = (exam: Exam | undefined): void => {
    // another exam, or none (closed): only frames received from now on are offered to freeze, review and save
    // (the daemon refuses the others for a new exam too: 409 SONO_FRAME_BEFORE_EXAM)
    if (exam?.id !== state.exam?.id) cutCine();
    state.exam = exam;
    examSession.remember(exam?.id);
    close.hide();
    if (exam) panel.setExamType(exam.examType);
    panel.show();
    if (!exam) panel.setExamType(state.examType); // the type may be chosen again
  };

  const same = buildSamePatientAsk(els.message, els.pId);
  // the question is about what was typed when Start was tapped: a change to the form withdraws it (Start asks again)
  form.addEventListener('input', () => same.hide());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    same.hide();
    const body = fields.read();
    if (!body) return say(tr('fixFields'));
    const operator = els.operator.value.trim();
    const start = (confirmSamePatient: boolean): void => {
      api.createExam({ examType: state.examType, ...body, ...(operator ? { operator } : {}), ...(confirmSamePatient ? { confirmSamePatient } : {}) }).then(
        (e) => (say(''), opened(e)),
        (err: Error) => (err instanceof ApiError && err.code === 'SONO_PATIENT_MISMATCH' && body.patient?.id ? (say(''), same.show(body.patient.id, () => start(true))) : say(failureText(err))),
      );
    };
    start(false);
  });
  const close = wireCloseExam(c, {
    say,
    closed: () => {
      fields.clear();
      pickers.clear();
      opened(undefined);
      c.message(''); // nothing said beside Confirm is about the next patient
      say(tr('closed'), 'ok');
    },
    dismissed: () => panel.show(),
  });
  // another user signed in on this page: the previous one's unsaved edits are not theirs to confirm
  userChange.on(() => {
    const dropped = dropUnsaved(c);
    if (dropped.length) c.message(fill(tr('handOverDropped'), { list: unsavedList(dropped) }), 'error');
  });

  const closedElsewhere = (id: string, voided: boolean): void => {
    if (state.exam?.id !== id) return;
    fields.clear();
    pickers.clear();
    opened(undefined);
    say(tr(voided ? 'voidedElsewhere' : 'closedElsewhere'));
  };
  /** The open exam as the daemon holds it now: dropped when it was closed or voided on another device meanwhile. */
  const refresh = (): void => {
    const id = state.exam?.id;
    if (!id) return;
    api.getExam(id).then(
      (e) => state.exam?.id === id && (e.closedAt || e.voidedAt ? closedElsewhere(id, !!e.voidedAt) : ((state.exam = e), panel.show())),
      () => undefined, // unreachable or signed out: asked again on the next reconnection
    );
  };
  examSession.register({
    current: () => state.exam,
    resume: (exam) => {
      const another = exam.id !== state.exam?.id;
      opened(exam);
      say(tr('resumed'), 'ok');
      // the daemon marks where this exam begins again on this device when the request reaches it, and refuses
      // the frames received before: those that came here in the meantime are cut too
      if (another)
        patientApi.resumeExam(exam.id).then(
          (e) => state.exam?.id === e.id && (cutCine(), (state.exam = e), panel.show()),
          (err: Error) => say(examRefusalText(err, exam.id)),
        );
    },
    forget: (id) => state.exam?.id === id && (fields.clear(), opened(undefined)),
    closedElsewhere,
  });
  // another device may close the exam while this one sleeps or is offline: checked when the page is seen again
  // and when the live socket connects again (the connection pill turns live)
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && refresh());
  new MutationObserver(() => els.conn.classList.contains('live') && refresh()).observe(els.conn, { attributes: true, attributeFilter: ['class'] });
  // after a reload the exam is still open on the daemon: it is resumed when the live view opens (signed in)
  els.tabs.addEventListener('click', (ev) => {
    const id = examSession.remembered();
    if (state.exam || !id || (ev.target as HTMLElement).dataset.view !== 'live') return;
    api.getExam(id).then(
      (e) => (e.closedAt || e.voidedAt ? examSession.remember(undefined) : examSession.resume(e)),
      () => examSession.remember(undefined),
    );
  });
  els.lang.addEventListener('change', () => applyFormStrings());
  return { showDating: (shown) => fields.showDating(shown) };
}
