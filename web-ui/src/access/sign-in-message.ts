/**
 * The sign-in screen's error line, kept as what it means (a string key, its values, the server's code) rather
 * than as words: the line is written again whenever the page's language changes, so an error already on
 * screen (a wrong PIN, a lockout, "session ended") follows a switch to French instead of staying English.
 */
import { ApiError } from '../api';
import { type Key, t } from '../i18n';
import { fill } from './strings';

export interface SignInMessage {
  /** the translated message; absent only for a server message with no translation of ours */
  key?: Key;
  values?: Record<string, string | number>;
  /** the server's own words, shown when there is no key (an error code this screen does not know) */
  text?: string;
  /** the server's error code, shown small after the message ('' for the screen's own messages) */
  code: string;
}

/** Seconds as the person reads them: "45 s", "3 min", "1 h 5 min" (the same in English and French). */
export function duration(s: number): string {
  if (s < 60) return `${Math.max(1, Math.ceil(s))} s`;
  const m = Math.ceil(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The plain-words message for a failed sign-in or setup, by the server's code. */
export function signInError(err: unknown): SignInMessage {
  if (!(err instanceof ApiError)) return { text: (err as Error).message, code: '' };
  const code = err.code ?? `HTTP_${err.status}`;
  if (err.status === 0) return { key: 'errNoAnswer', code };
  if (err.code === 'SONO_ACCESS_SIGN_IN_FAILED') return { key: 'errWrongSecret', code };
  if (err.code === 'SONO_ACCESS_LOCKED') return { key: 'errLocked', values: { s: err.retryAfterS !== undefined ? duration(err.retryAfterS) : '?' }, code };
  // the device is checking other sign-ins (this address's share, or all of them): not this person's fault
  if (err.code === 'SONO_ACCESS_SIGN_IN_BUSY') return { key: 'errBusy', values: { s: duration(err.retryAfterS ?? 1) }, code };
  if (err.status === 429) return { key: 'errRateLimited', code };
  if (err.code === 'SONO_ACCESS_SETUP_REFUSED' && err.status === 403) return { key: 'setupRefused', code };
  return { text: err.message, code };
}

/**
 * Shows messages in `target` (role=alert). The page's language lives on <html lang> (i18n.ts's setLang sets
 * it), so one observer of that attribute re-renders the message on screen from its key.
 */
export function messageLine(target: HTMLElement): { show(m: SignInMessage | undefined): void } {
  let current: SignInMessage | undefined;
  const render = (): void => {
    const m = current;
    target.textContent = m?.key ? fill(t(m.key), m.values ?? {}) : (m?.text ?? '');
    target.dataset.code = m?.code ?? '';
    if (m?.code) target.append(' ', Object.assign(document.createElement('small'), { className: 'code', textContent: m.code }));
  };
  new MutationObserver(render).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  return {
    show(m): void {
      current = m;
      render();
    },
  };
}
