/** Strings with values filled in, and numbers, in the page's language. */
import { type Key, currentLang, t } from '../../i18n';

/** The string `key` in the page's language, `{name}` placeholders filled from `vars`. */
export function st(key: Key, vars: Record<string, string | number> = {}): string {
  return t(key).replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** Numbers as the page's language writes them (a decimal comma in French). */
export const num = (v: number, digits = 1): string => v.toLocaleString(currentLang(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
