/**
 * Two ways not to type a patient: the picker over earlier patients (GET /api/patients?q=, as typed) and the
 * DICOM worklist (GET /api/worklist, today's scheduled procedures). A tap fills the form.
 */
import { ApiError } from '../api';
import type { PatientFill } from './fields';
import { patientApi } from './patient-api';
import { tr } from './strings';
import { showDate } from './typed-date';

const pn = (name: string | null | undefined): string => (name ?? '').replace('^', ', ').replace(/\^/g, ' ');

function choice(id: string, text: string, onPick: () => void): HTMLLIElement {
  const li = document.createElement('li');
  const b = Object.assign(document.createElement('button'), { type: 'button', className: 'pf-choice', textContent: text });
  b.dataset.pick = id;
  b.addEventListener('click', onPick);
  li.append(b);
  return li;
}

export function buildPickers(container: HTMLElement, fill: (p: PatientFill) => void): { clear(): void } {
  const details = Object.assign(document.createElement('details'), { id: 'p-pickers', className: 'pf-pickers' });
  const summary = document.createElement('summary');
  summary.dataset.pf = 'findPatient';
  summary.textContent = tr('findPatient');
  const search = Object.assign(document.createElement('input'), { id: 'p-search', type: 'search', autocomplete: 'off', placeholder: tr('searchPlaceholder') });
  search.dataset.pfPlaceholder = 'searchPlaceholder';
  const wl = Object.assign(document.createElement('button'), { id: 'p-worklist', type: 'button', className: 'big', textContent: tr('worklist') });
  wl.dataset.pf = 'worklist';
  const note = Object.assign(document.createElement('p'), { id: 'p-picker-note', className: 'pf-note' });
  note.setAttribute('role', 'status');
  const list = Object.assign(document.createElement('ul'), { id: 'p-picker-list', className: 'pf-list' });
  const row = Object.assign(document.createElement('div'), { className: 'pf-picker-row' });
  row.append(search, wl);
  details.append(summary, row, note, list);
  container.append(details);

  const picked = (p: PatientFill): void => {
    fill(p);
    list.replaceChildren();
    note.textContent = '';
    details.open = false;
  };
  let asked = 0;
  search.addEventListener('input', () => {
    const text = search.value.trim();
    const mine = ++asked;
    if (!text) return void (list.replaceChildren(), (note.textContent = ''));
    patientApi.searchPatients(text).then(
      (found) => {
        if (mine !== asked) return; // an older answer arriving after a newer one is dropped
        note.textContent = found.length ? '' : tr('noMatch');
        list.replaceChildren(
          ...found.map((p) =>
            choice(p.id, [pn(p.name), p.id, showDate(p.birthDate)].filter(Boolean).join(' · '), () =>
              picked({ name: p.name ?? undefined, id: p.id, birthDate: p.birthDate ?? undefined, sex: p.sex ?? undefined }),
            ),
          ),
        );
      },
      (err: Error) => mine === asked && (note.textContent = err.message),
    );
  });
  wl.addEventListener('click', () => {
    note.textContent = '';
    wl.disabled = true;
    patientApi
      .worklist()
      .then(
        (w) => {
          note.textContent = w.items.length ? '' : tr('worklistEmpty');
          list.replaceChildren(
            ...w.items.map((it) => {
              const when = it.scheduledTime ? `${it.scheduledTime.slice(0, 2)}:${it.scheduledTime.slice(2, 4)}` : '';
              const text = [when, pn(it.patient.name), it.patient.id, showDate(it.patient.birthDate), it.procedureDescription].filter(Boolean).join(' · ');
              return choice(it.accessionNumber ?? it.patient.id ?? '', text, () => picked({ ...it.patient, accessionNumber: it.accessionNumber }));
            }),
          );
        },
        (err: unknown) => (note.textContent = err instanceof ApiError && err.code === 'SONO_WORKLIST_NOT_CONFIGURED' ? tr('worklistNotConfigured') : (err as Error).message),
      )
      .finally(() => (wl.disabled = false));
  });
  return {
    clear() {
      search.value = '';
      list.replaceChildren();
      note.textContent = '';
      details.open = false;
    },
  };
}
