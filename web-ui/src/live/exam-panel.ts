/**
 * The exam beside the live view: start (patient, dating GA, operator), close, and the exam type, which
 * chooses the panel, the overlay and the review tools (exam-types/), and is fixed while an exam is open.
 */
import type { ExamType } from '../../../src/protocol/index.js';
import { examTypeList, examTypes } from '../exam-types/index';
import { wirePatientForm } from '../patient-form/index';
import { currentLang, t } from '../i18n';
import type { LiveContext } from './context';
import { showModelAvailability } from './model-availability';
import { showFrozen } from './review';
import { reviewOf } from '../state';
import { leaveFrame } from './kept-frames';
import { clearResultCommon } from './results-panel';
import { fill } from './strings';
import { sideRequired, wireSideToggle } from './breast-side';

/** "1 capture", "3 captures" (French: 0 and 1 take the singular), in the page's language. */
export function capturesText(n: number): string {
  return fill(t(new Intl.PluralRules(currentLang()).select(n) === 'one' ? 'captureOne' : 'captureMany'), { n: String(n) });
}

/** " (2 left, 1 right)": how many saved captures of a breast exam show each breast. */
function sidesText(exam: { examType: ExamType; captures: ReadonlyArray<{ laterality?: string | null }> }): string {
  if (!sideRequired(exam.examType) || exam.captures.length === 0) return '';
  const n = (side: string): string => String(exam.captures.filter((k) => k.laterality === side).length);
  return ` (${fill(t('capturesBySide'), { left: n('left'), right: n('right') })})`;
}

export interface ExamPanel {
  show(): void;
  setExamType(type: ExamType): void;
}

export function wireExamPanel(c: LiveContext, sendExamType: (type: ExamType) => void): ExamPanel {
  const { els, state } = c;
  els.examType.replaceChildren(...examTypeList.map((m) => Object.assign(document.createElement('option'), { value: m.type, textContent: t(m.labelKey) })));
  examTypeList.forEach((m, i) => (els.examType.options[i]!.dataset.i18n = m.labelKey));

  function show(): void {
    const exam = state.exam;
    els.examForm.hidden = !!exam;
    els.closeExam.hidden = !exam;
    // built from the exam in the page's language: no data-i18n (it is not one string), redrawn below on a change of language
    delete els.examSummary.dataset.i18n;
    els.examSummary.textContent = exam ? `${exam.anonymous ? t('anonymous') : (exam.patient?.name ?? exam.patient?.id ?? '')} · ${capturesText(exam.captures.length)}${sidesText(exam)}` : t('noExam');
    sides.show(state.examType, exam?.id);
  }

  const sides = wireSideToggle(c, show);

  /**
   * Starting or closing an exam re-applies the same type: the panel then keeps its numbers and summary
   * together. A real change of type blanks every panel (no number from another type or an earlier scan); the
   * cine keeps each frame's results of every type (switching back by mistake loses nothing), and Freeze, Best
   * frame and the frozen frame read only the shown type's (nothing of another type's is offered for review).
   */
  function setExamType(type: ExamType): void {
    const changed = type !== state.examType;
    // the frozen frame's proposal of the type left is kept (its controls before the panels are blanked)
    const left = changed && state.cine.frozen && leaveFrame(c, reviewOf(state.mode));
    state.examType = type;
    sendExamType(type);
    const module = examTypes[type];
    els.examType.value = type;
    els.examType.disabled = !!state.exam;
    showModelAvailability(c); // its panel, or the plain word that its model is not installed
    els.panelTitle.dataset.i18n = module.titleKey;
    els.panelTitle.textContent = t(module.titleKey);
    form.showDating(module.asksDatingGa);
    sides.show(type, state.exam?.id); // the side toggle and badge of a breast exam
    if (changed) {
      for (const m of examTypeList) m.clear(c.env);
      clearResultCommon(els); // no flag or confidence of the type left
      state.latest = undefined;
      if (state.cine.frozen) {
        for (const m of examTypeList) for (const el of m.reviewControls?.(els) ?? []) el.disabled = true;
        showFrozen(c, undefined, { left }); // the frozen frame again, with the new type's result or none
      }
    }
  }

  const form = wirePatientForm(c, { show, setExamType }); // the patient fields, pickers, start and close: patient-form/
  els.examType.addEventListener('change', () => setExamType(els.examType.value as ExamType));
  // the summary is composed, not a data-i18n string: said again in the language just chosen (main.ts sets it first)
  els.lang.addEventListener('change', show);
  return { show, setExamType };
}
