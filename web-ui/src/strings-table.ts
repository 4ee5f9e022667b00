/**
 * One shape for every table of page strings: English names the keys, French must give each of them. A French
 * key missing (or one English does not have) is a compile error, so no table can fall back to a blank.
 */
export type Lang = 'en' | 'fr';

/** A table of strings in every language the page speaks, and its lookup. */
export interface StringTable<K extends string> {
  readonly en: Readonly<Record<K, string>>;
  readonly fr: Readonly<Record<K, string>>;
  /** The string of `key` in `lang`. */
  text(key: K, lang: Lang): string;
  /** Whether `key` (a code word from the daemon, say) is one of the table's keys. */
  has(key: string): key is K;
}

/** The keys of a table. */
export type KeyOf<T> = T extends StringTable<infer K> ? K : never;

/** Makes a table from its English strings and their French (every English key, no other). */
export function defineStrings<const E extends Record<string, string>>(table: { en: E; fr: NoInfer<Record<keyof E, string>> }): StringTable<keyof E & string> {
  const { en, fr } = table;
  return {
    en,
    fr,
    text: (key, lang) => (lang === 'fr' ? fr : en)[key],
    has: (key): key is keyof E & string => Object.hasOwn(en, key),
  };
}
