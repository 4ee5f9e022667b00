/**
 * defineStrings, the one shape of the page's string tables (web-ui/src/strings-table.ts): English names the keys,
 * French must give each of them. The compile-time half is checked by `npm run typecheck` on this file (each
 * @ts-expect-error must meet an error, or the typecheck fails); the lookups are checked here.
 */
import { describe, expect, it } from 'vitest';
import { type KeyOf, defineStrings } from '../../web-ui/src/strings-table.js';

const table = defineStrings({ en: { hello: 'Hello', 'sync-sent': 'sent' }, fr: { hello: 'Bonjour', 'sync-sent': 'envoyé' } });

describe('defineStrings', () => {
  it('looks a key up in the language asked for', () => {
    expect([table.text('hello', 'en'), table.text('hello', 'fr'), table.text('sync-sent', 'fr')]).toEqual(['Hello', 'Bonjour', 'envoyé']);
  });

  it('knows its own keys only (not those every object inherits)', () => {
    expect(['hello', 'sync-sent', 'bye', 'toString', 'constructor'].map((k) => table.has(k))).toEqual([true, true, false, false, false]);
  });

  it('refuses at compile time a French key missing or one English does not have, and an unknown key', () => {
    // @ts-expect-error French lacks "bye"
    defineStrings({ en: { hello: 'Hello', bye: 'Bye' }, fr: { hello: 'Bonjour' } });
    // @ts-expect-error French has "extra", which English does not
    defineStrings({ en: { hello: 'Hello' }, fr: { hello: 'Bonjour', extra: 'en trop' } });
    // @ts-expect-error no such key
    expect(table.text('bye', 'en')).toBeUndefined();
    const key: KeyOf<typeof table> = 'sync-sent';
    expect(table.text(key, 'en')).toBe('sent');
  });
});
