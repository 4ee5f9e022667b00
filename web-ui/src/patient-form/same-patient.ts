/**
 * When Start is refused because the patient ID is already kept for someone with another family name or birth
 * date (409 SONO_PATIENT_MISMATCH), the form shows who that ID belongs to (read from the patient list, since
 * error bodies never carry patient data) and asks: the same patient (a married name, a corrected birth date)
 * starts the exam confirming it; otherwise the ID field is focused to be checked. Nothing is stored until then.
 */
import { patientApi } from './patient-api';
import { tr } from './strings';
import { showDate } from './typed-date';

const pn = (name: string | null | undefined): string => (name ?? '').replace('^', ', ').replace(/\^/g, ' ');

export interface SamePatientAsk {
  /** asks about `patientId`; `start` runs when the clinician says it is the same patient */
  show(patientId: string, start: () => void): void;
  hide(): void;
}

export function buildSamePatientAsk(after: HTMLElement, idField: HTMLInputElement): SamePatientAsk {
  const box = Object.assign(document.createElement('div'), { id: 'same-patient-ask', className: 'pf-ask', hidden: true });
  const text = Object.assign(document.createElement('p'), { id: 'same-patient-text' });
  const kept = Object.assign(document.createElement('p'), { id: 'same-patient-kept' });
  const yes = Object.assign(document.createElement('button'), { id: 'same-patient-yes', type: 'button', className: 'big primary' });
  const no = Object.assign(document.createElement('button'), { id: 'same-patient-no', type: 'button', className: 'big' });
  text.dataset.pf = 'samePatientAsk';
  yes.dataset.pf = 'samePatientYes';
  no.dataset.pf = 'samePatientCheck';
  [text.textContent, yes.textContent, no.textContent] = [tr('samePatientAsk'), tr('samePatientYes'), tr('samePatientCheck')];
  box.append(text, kept, yes, no);
  after.after(box);
  let onYes: (() => void) | undefined;
  let asked = 0;
  const hide = (): void => {
    box.hidden = true;
    onYes = undefined;
    asked++;
  };
  yes.addEventListener('click', () => {
    const start = onYes;
    hide();
    start?.();
  });
  no.addEventListener('click', () => (hide(), idField.focus()));
  return {
    show(patientId, start) {
      const mine = ++asked;
      onYes = start;
      kept.textContent = patientId;
      box.hidden = false;
      // who the ID is kept for, as the earlier-patient picker shows it
      patientApi.searchPatients(patientId).then(
        (list) => {
          const p = list.find((x) => x.id === patientId);
          if (mine === asked && p) kept.textContent = [pn(p.name), p.id, showDate(p.birthDate)].filter(Boolean).join(' · ');
        },
        () => undefined, // the question stands with the ID alone
      );
    },
    hide,
  };
}
