/**
 * Auto-lock: after `minutes` without a touch, key or wheel anywhere on the page, `onIdle` runs (the page
 * locks). The server says how long (access.autoLockMinutes, in every session answer).
 */
const ACTIVITY = ['pointerdown', 'touchstart', 'keydown', 'wheel'] as const;

export class IdleTimer {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ms = 15 * 60_000;
  #armed = false;

  constructor(private readonly onIdle: () => void) {
    const poke = (): void => {
      if (this.#armed) this.#restart();
    };
    for (const type of ACTIVITY) document.addEventListener(type, poke, { capture: true, passive: true });
  }

  /** Starts counting (after a sign-in); `minutes` from the server. */
  arm(minutes: number): void {
    this.#ms = Math.max(1000, minutes * 60_000);
    this.#armed = true;
    this.#restart();
  }

  disarm(): void {
    this.#armed = false;
    clearTimeout(this.#timer);
  }

  #restart(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.disarm();
      this.onIdle();
    }, this.#ms);
  }
}
