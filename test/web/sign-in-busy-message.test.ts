/**
 * The sign-in screen's line for SONO_ACCESS_SIGN_IN_BUSY (503: the device is checking other sign-ins), in
 * English and French, with the wait from Retry-After: before, the server's English sentence was shown as is
 * ("This device (address …) already has 2 sign-ins being checked"), even to a tablet that had none waiting.
 * A pure test of signInError and the strings (the queue cannot be held full from a browser test without a hook).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { accessEn, accessFr, fill } from '../../web-ui/src/access/strings.js';

// typed here, not imported as types: the root tsconfig does not compile web-ui/src (a browser build of its own)
type SignInError = (err: unknown) => { key?: string; values?: Record<string, string | number>; code: string };
type ApiErrorClass = new (status: number, message: string, code: string | undefined, retryAfterS?: number) => Error;
let signInError: SignInError;
let ApiError: ApiErrorClass;
const webUi = '../../web-ui/src';

beforeAll(async () => {
  // i18n.ts reads the saved language at load: give it what a browser would
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
  vi.stubGlobal('navigator', { language: 'en-GB' });
  ({ signInError } = (await import(`${webUi}/access/sign-in-message.ts`)) as { signInError: SignInError });
  ({ ApiError } = (await import(`${webUi}/api.ts`)) as { ApiError: ApiErrorClass });
});

describe('the sign-in busy message', () => {
  it('says the device is busy and how long to wait, in English and French, with the code kept', () => {
    const server = 'This network address (10.0.0.9) already has 3 sign-ins being checked; wait for their answer, then try again in 4 s.';
    const m = signInError(new ApiError(503, server, 'SONO_ACCESS_SIGN_IN_BUSY', 4));
    expect(m).toEqual({ key: 'errBusy', values: { s: '4 s' }, code: 'SONO_ACCESS_SIGN_IN_BUSY' });
    expect(fill(accessEn[m.key as keyof typeof accessEn], m.values!)).toBe('The device is busy checking other sign-ins: try again in 4 s.');
    expect(fill(accessFr[m.key as keyof typeof accessFr], m.values!)).toBe("L'appareil est occupé à vérifier d'autres connexions : réessayez dans 4 s.");
    // no Retry-After: still a wait to show; a long one in minutes
    expect(signInError(new ApiError(503, server, 'SONO_ACCESS_SIGN_IN_BUSY')).values).toEqual({ s: '1 s' });
    expect(signInError(new ApiError(503, server, 'SONO_ACCESS_SIGN_IN_BUSY', 90)).values).toEqual({ s: '2 min' });
  });
});
