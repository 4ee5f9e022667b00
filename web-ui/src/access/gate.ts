/**
 * Who is at the screen. The page starts locked (the shell loads without a session): the sign-in screen shows
 * until GET /api/session or a sign-in answers. Locking (one tap, the idle timer, a 401 from any request or
 * the live socket) signs out on the server, takes patient data out of the page (curtain.ts) and shows the
 * sign-in screen; the page's own state (an open exam, a frozen review) stays for whoever signs in next.
 */
import { ApiError, onUnauthorized } from '../api';
import { type SignInScreen, createSignInScreen } from '../screens/sign-in';
import { type Session, accessApi } from './access-api';
import { Curtain } from './curtain';
import { type SignedInBar, createSignedInBar } from './header';
import { IdleTimer } from './idle';

export interface GateHooks {
  /** someone signed in (or was already): connect the live view, show their tabs */
  signedIn(s: Session): void;
  /** the page locked: stop the live view */
  locked(): void;
}

export type LockReason = 'lock' | 'switch' | 'idle' | 'ended';

export class AccessGate {
  #session: Session | undefined;
  /** the last user, offered again when the page was locked (not on "switch user") */
  #last: string | undefined;
  readonly #curtain = new Curtain();
  readonly #idle = new IdleTimer(() => void this.lock('idle'));
  readonly #screen: SignInScreen;
  readonly #bar: SignedInBar;

  constructor(private readonly hooks: GateHooks) {
    this.#screen = createSignInScreen((s) => this.#enter(s));
    this.#bar = createSignedInBar({ lock: () => void this.lock('lock'), switchUser: () => void this.lock('switch') });
    onUnauthorized.handler = () => void this.lock('ended');
  }

  get session(): Session | undefined {
    return this.#session;
  }

  /** At load: signed in already (a session cookie) or the sign-in screen. */
  async start(): Promise<void> {
    this.#curtain.hide();
    try {
      this.#enter(await accessApi.me());
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn('Session check failed:', (err as Error).message);
      this.#bar.show(undefined);
      await this.#screen.show();
    }
  }

  /** Locks the page: signs out on the server, hides patient data, shows the sign-in screen. */
  async lock(reason: LockReason): Promise<void> {
    const s = this.#session;
    if (!s && this.#curtain.down) return;
    this.#session = undefined;
    this.#idle.disarm();
    this.#curtain.hide();
    this.hooks.locked();
    this.#bar.show(undefined);
    if (s) this.#last = s.user;
    const notice = reason === 'ended' ? ({ key: 'errSessionEnded', code: '' } as const) : undefined;
    const preselect = reason === 'switch' ? undefined : this.#last;
    await Promise.all([s?.via === 'session' && reason !== 'ended' ? accessApi.signOut().catch(() => undefined) : undefined, this.#screen.show({ preselect, notice })]);
  }

  /** After the live socket closed: a session that ended meanwhile locks the page. */
  recheck(): void {
    if (!this.#session) return;
    accessApi.me().catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) void this.lock('ended');
    });
  }

  #enter(s: Session): void {
    this.#session = s;
    this.#screen.hide();
    this.#curtain.show();
    this.#bar.show(s);
    this.#idle.arm(s.autoLockMinutes);
    this.hooks.signedIn(s);
  }
}
