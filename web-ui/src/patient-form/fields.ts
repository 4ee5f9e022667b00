/**
 * The patient and dating fields of the exam form, each labelled, each checked as it is typed with the same
 * pure rules the daemon applies again (src/protocol/rest/patient-checks.ts): a refused value is said under
 * its field in the user's language and Start exam is refused, never a value silently read as another.
 */
import type { NewExamBody } from '../../../src/protocol/rest/index.js';
import { type DatingMethod, type InputProblem, checkBirthDate, gaFromEdd, gaFromLmp, nameParts, nameProblem, parseGaWeeks, personName } from '../../../src/protocol/rest/patient-checks.js';
import type { Elements } from '../dom/elements';
import { type FormKey, num, tr } from './strings';
import { parseTypedDate, showDate } from './typed-date';

/** What a picker fills in (a worklist item or an earlier patient). */
export interface PatientFill {
  name?: string | undefined;
  id?: string | undefined;
  birthDate?: string | undefined;
  sex?: string | undefined;
  accessionNumber?: string | null | undefined;
}

export interface PatientFields {
  /** the body's patient and dating part, or undefined when a field is refused (each says why) */
  read(): Partial<NewExamBody> | undefined;
  fill(p: PatientFill): void;
  clear(): void;
  showDating(shown: boolean): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, key?: FormKey): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  if (key) {
    (e as HTMLElement).dataset.pf = key;
    e.textContent = tr(key);
  }
  return e;
}

function input(id: string, placeholderKey?: FormKey, existing?: HTMLInputElement): HTMLInputElement {
  const i = existing ?? el('input', { id });
  i.autocomplete = 'off';
  delete i.dataset.i18nPlaceholder; // a visible label names it now (a placeholder disappears as one types)
  i.placeholder = placeholderKey ? tr(placeholderKey) : '';
  if (placeholderKey) i.dataset.pfPlaceholder = placeholderKey;
  return i;
}

/** A labelled field with its own error line (aria-describedby, so a screen reader says it too). */
function field(labelKey: FormKey, control: HTMLElement): { label: HTMLElement; error: HTMLElement } {
  const error = el('small', { id: `${control.id}-error`, className: 'pf-error' });
  error.setAttribute('role', 'alert');
  control.setAttribute('aria-describedby', error.id);
  // the label names the control alone (a select's shown option or the error line are not part of its name)
  const label = el('div', { className: 'pf-field' });
  label.append(el('label', { htmlFor: control.id }, labelKey), control, error);
  return { label, error };
}

/**
 * Builds the fields at the end of `form` (the page's #p-name, #p-id and #p-ga move into them). Start stays
 * first: in the live layout the exam column is short and scrolls, and Start must be seen without scrolling.
 */
export function buildPatientFields(els: Elements, form: HTMLFormElement): PatientFields & { grid: HTMLElement } {
  const family = input('p-name', undefined, els.pName);
  const given = input('p-given');
  const id = input('p-id', undefined, els.pId);
  const birth = input('p-birth', 'datePlaceholder');
  birth.inputMode = 'numeric';
  const sex = el('select', { id: 'p-sex' });
  sex.append(...(['sexUnknown', 'sexF', 'sexM', 'sexO'] as const).map((k, i) => el('option', { value: ['', 'F', 'M', 'O'][i]! }, k)));
  const method = el('select', { id: 'p-dating' });
  method.append(el('option', { value: 'ga' }, 'datingGa'), el('option', { value: 'lmp' }, 'datingLmp'), el('option', { value: 'edd' }, 'datingEdd'));
  // a number field reads "22,5" as empty (or 225) depending on the browser's locale: a text field, checked here
  const ga = input('p-ga', 'gaPlaceholder', els.pGa);
  ga.type = 'text';
  ga.inputMode = 'decimal';
  ga.removeAttribute('step');
  const date = input('p-dating-date', 'datePlaceholder');
  date.inputMode = 'numeric';
  const gaToday = el('output', { id: 'p-ga-today', className: 'pf-derived' });
  const f = {
    family: field('family', family),
    given: field('given', given),
    id: field('patientId', id),
    birth: field('birthDate', birth),
    sex: field('sex', sex),
    method: field('dating', method),
    ga: field('datingGa', ga),
    date: field('datingLmp', date),
  };
  const dateLabel = f.date.label.querySelector('label')!;
  const datingRow = el('div', { className: 'pf-dating' });
  datingRow.append(f.method.label, f.ga.label, f.date.label, gaToday);
  const grid = el('div', { className: 'pf-grid' });
  grid.append(f.family.label, f.given.label, f.id.label, f.birth.label, f.sex.label, datingRow);
  form.append(grid);
  let accession: string | undefined;

  const say = (e: HTMLElement, problem: InputProblem | undefined): boolean => {
    e.textContent = problem ? tr(problem) : '';
    e.previousElementSibling?.setAttribute('aria-invalid', String(!!problem));
    return !problem;
  };
  /** Checks every field; with `quiet`, an empty field that is being typed is not yet called wrong. */
  function check(): Partial<NewExamBody> | undefined {
    let ok = true;
    // a name pasted whole in the family field (FAMILY^GIVEN, as the worklist writes it) is split, not refused
    if (family.value.includes('^') && !given.value.trim()) {
      const p = nameParts(family.value);
      family.value = p.family;
      given.value = p.given;
    }
    ok = say(f.family.error, nameProblem(family.value.trim())) && ok;
    ok = say(f.given.error, nameProblem(given.value.trim())) && ok;
    let birthDate: string | undefined;
    if (birth.value.trim()) {
      const d = parseTypedDate(birth.value);
      const problem = d === 'not-a-date' ? d : checkBirthDate(d);
      ok = say(f.birth.error, problem) && ok;
      if (!problem) birthDate = d;
    } else say(f.birth.error, undefined);
    const m = method.value as DatingMethod;
    const dating: Partial<NewExamBody> = {};
    gaToday.textContent = '';
    if (datingRow.hidden) {
      // breast exams: no dating
    } else if (m === 'ga') {
      const g = ga.value.trim() ? parseGaWeeks(ga.value) : undefined;
      ok = say(f.ga.error, typeof g === 'string' ? g : undefined) && ok;
      if (typeof g === 'number') Object.assign(dating, { datingMethod: 'ga', datingGaWeeks: Math.round(g * 1000) / 1000 });
    } else if (date.value.trim()) {
      const d = parseTypedDate(date.value);
      const g = d === 'not-a-date' ? d : m === 'lmp' ? gaFromLmp(d) : gaFromEdd(d);
      ok = say(f.date.error, typeof g === 'string' ? g : undefined) && ok;
      if (typeof g === 'number') {
        gaToday.textContent = `${tr('gaToday')} ${num(g)} ${tr('weeks')}`;
        Object.assign(dating, { datingMethod: m, datingDate: d });
      }
    } else say(f.date.error, undefined);
    if (!ok) return undefined;
    const name = personName(family.value, given.value);
    const patient = {
      ...(name ? { name } : {}),
      ...(id.value.trim() ? { id: id.value.trim() } : {}),
      ...(birthDate ? { birthDate } : {}),
      ...(sex.value ? { sex: sex.value as 'F' | 'M' | 'O' } : {}),
    };
    return { ...(Object.keys(patient).length ? { patient } : {}), ...dating, ...(accession ? { accessionNumber: accession } : {}) };
  }
  function showMethod(): void {
    const m = method.value as DatingMethod;
    f.ga.label.hidden = m !== 'ga';
    f.date.label.hidden = m === 'ga';
    dateLabel.dataset.pf = m === 'edd' ? 'datingEdd' : 'datingLmp';
    dateLabel.textContent = tr(dateLabel.dataset.pf as FormKey);
  }
  for (const i of [family, given, id, birth, ga, date]) i.addEventListener('input', () => void check());
  sex.addEventListener('change', () => void check());
  method.addEventListener('change', () => (showMethod(), void check()));
  id.addEventListener('input', () => (accession = undefined)); // another patient typed: not the worklist's procedure
  showMethod();

  return {
    grid,
    read: check,
    fill(p) {
      const n = nameParts(p.name);
      family.value = n.family;
      given.value = n.given;
      id.value = p.id ?? '';
      birth.value = showDate(p.birthDate);
      sex.value = p.sex && ['F', 'M', 'O'].includes(p.sex) ? p.sex : '';
      accession = p.accessionNumber ?? undefined;
      check();
    },
    clear() {
      for (const i of [family, given, id, birth, ga, date]) i.value = '';
      sex.value = '';
      method.value = 'ga';
      accession = undefined;
      showMethod();
      check();
    },
    showDating(shown) {
      datingRow.hidden = !shown;
    },
  };
}
