/** Small DOM builders for the screens that make their own elements. */

type Props = Partial<Pick<HTMLElement, 'className' | 'textContent' | 'id' | 'title' | 'hidden'>> & Record<string, unknown>;

/** `document.createElement(tag)` with properties and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

/** A definition list's rows: term, then value. */
export const rows = (pairs: ReadonlyArray<readonly [string, string]>): HTMLElement[] => pairs.flatMap(([k, v]) => [h('dt', { textContent: k }), h('dd', { textContent: v })]);

/** A date-time as the page's language writes it, or `fallback`. */
export const when = (iso: string | null | undefined, fallback: string): string => (iso ? new Date(iso).toLocaleString(document.documentElement.lang || undefined) : fallback);
