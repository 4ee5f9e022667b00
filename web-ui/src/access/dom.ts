/** Small element builders for the access screens (sign-in, accounts, tokens, audit). */
import { type Key, t } from '../i18n';

/** An element with properties; `i18n` sets its text now and again on a language change (data-i18n). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, i18n?: Key): HTMLElementTagNameMap[K] {
  const e: HTMLElement & HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  if (i18n) {
    e.dataset.i18n = i18n;
    e.textContent = t(i18n);
  }
  return e;
}

/** An input whose placeholder follows the language (data-i18n-placeholder). */
export function input(props: Partial<HTMLInputElement>, placeholder: Key): HTMLInputElement {
  const e = el('input', { autocomplete: 'off', ...props });
  e.dataset.i18nPlaceholder = placeholder;
  e.placeholder = t(placeholder);
  return e;
}

/** A table row of text cells, then any extra cells given as elements. */
export function row(texts: string[], ...extra: HTMLElement[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(
    ...texts.map((text) => el('td', { textContent: text })),
    ...extra.map((x) => {
      const td = document.createElement('td');
      td.append(x);
      return td;
    }),
  );
  return tr;
}

/** A table with a translated header row; its body is returned to fill. */
export function table(headers: Key[]): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const head = document.createElement('tr');
  head.append(...headers.map((h) => el('th', {}, h)));
  const body = document.createElement('tbody');
  const tableEl = document.createElement('table');
  tableEl.append(Object.assign(document.createElement('thead'), {}), body);
  tableEl.tHead!.append(head);
  return { table: tableEl, body };
}

/** A page section of the screen `id`, hidden until its tab is opened, appended to the body. */
export function pageSection(id: string, titleKey: Key): HTMLElement {
  const s = el('section', { id: `view-${id}`, className: 'view page', hidden: true });
  s.append(el('h2', {}, titleKey));
  document.body.append(s);
  return s;
}

export const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : t('never'));
