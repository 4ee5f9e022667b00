/**
 * Session-15 clinic review L3: the live panel rounded a 0.4% malignancy probability to "0%" (the printed report
 * says 0.4 %) and a 99.6% confidence to "100%". A probability strictly between 0 and 1 never reads 0% or 100%:
 * "<1%" / ">99%" (French "<1 %" / ">99 %"); 0 and 1 themselves, and everything else, as whole percentages.
 */
import { beforeAll, describe, expect, it } from 'vitest';

// imported by a computed path: the root typecheck (node16 resolution) must not follow the page's extensionless imports
const page = (f: string): string => `../../web-ui/src/${f}`;
let fmt: { formatPercent: (p: number) => string };
let setLang: (l: 'en' | 'fr') => void;

beforeAll(async () => {
  // the page's language module reads these at load; setLang writes them
  const store = new Map<string, string>();
  Object.assign(globalThis, {
    localStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
    document: { documentElement: {}, querySelectorAll: () => [] },
  });
  if (!('navigator' in globalThis)) Object.assign(globalThis, { navigator: { language: 'en-GB' } });
  fmt = (await import(page('live/format.ts'))) as typeof fmt;
  setLang = ((await import(page('i18n.ts'))) as { setLang: typeof setLang }).setLang;
});

describe('formatPercent', () => {
  it('never says 0% or 100% for a probability strictly between', () => {
    setLang('en');
    expect([0.004, 0.0049, 0.996, 0.9951].map(fmt.formatPercent)).toEqual(['<1%', '<1%', '>99%', '>99%']);
    expect([0, 1, 0.005, 0.42, 0.994].map(fmt.formatPercent)).toEqual(['0%', '100%', '1%', '42%', '99%']);
    setLang('fr');
    expect([0.004, 0.996, 0, 1, 0.42].map(fmt.formatPercent)).toEqual(['<1 %', '>99 %', '0 %', '100 %', '42 %']);
  });
});
