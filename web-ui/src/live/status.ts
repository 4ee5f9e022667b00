/** The status bar: connection pill, frames per second, and "no live signal" over a frame that stopped. */
import type { Elements } from '../dom/elements';
import { t } from '../i18n';
import type { AppState } from '../state';
import { formatNumber } from './format';
import type { LiveClosedWhy } from './socket';

export class StatusBar {
  #lastFrameAt = 0;
  #frames = 0;
  #windowStart = performance.now();

  constructor(
    private readonly els: Elements,
    private readonly state: AppState,
  ) {}

  /** `why` 'replaced': this tab's view was taken by the same user's newer one and does not come back by itself. */
  connected(up: boolean, why?: LiveClosedWhy): void {
    const key = up ? 'live' : why === 'replaced' ? 'openedElsewhere' : 'reconnecting';
    this.els.conn.dataset.i18n = key;
    this.els.conn.textContent = t(key);
    this.els.conn.className = `pill ${up ? 'live' : 'down'}`;
  }

  frameArrived(): void {
    this.#lastFrameAt = performance.now();
    this.#frames++;
  }

  /** Never shows a stale frame as live: checked four times a second. */
  start(): void {
    setInterval(() => {
      const now = performance.now();
      this.els.stale.hidden = this.state.cine.frozen || now - this.#lastFrameAt < 1000;
      // numbers from before the signal was lost are greyed and said to be so, never shown as current
      const lost = !this.els.stale.hidden;
      if (this.els.panel.classList.contains('signal-lost') !== lost) {
        this.els.panel.classList.toggle('signal-lost', lost);
        this.els.panel.title = lost ? t('signalLost') : '';
      }
      const dt = (now - this.#windowStart) / 1000;
      if (dt >= 1) {
        this.els.fps.textContent = `${formatNumber(this.#frames / dt, 1)} ${t('fps')}`;
        this.#frames = 0;
        this.#windowStart = now;
      }
    }, 250);
  }
}
