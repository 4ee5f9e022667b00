/**
 * Enhanced view (display only): the clinician's choice, remembered per user (the operator name) on this
 * device. While on, the daemon runs its enhancer and sends enhanced frames, drawn in place of raw ones;
 * when none came for half a second (blank or colour frame, enhancer busy), raw frames are drawn again.
 */
import type { EnhanceStateMessage, LiveModel } from '../../../src/protocol/index.js';
import type { Elements } from '../dom/elements';
import type { LiveSocket } from './socket';

export class EnhancedView {
  #enhancedAt = 0;

  constructor(
    private readonly els: Elements,
    private readonly socket: LiveSocket,
  ) {
    els.enhance.addEventListener('change', () => {
      localStorage.setItem(this.#key(), els.enhance.checked ? '1' : '0');
      this.#enhancedAt = 0; // off: the next raw frame is drawn at once
      this.#send();
    });
    els.operator.addEventListener('change', () => {
      if (els.enhanceRow.hidden) return;
      els.enhance.checked = localStorage.getItem(this.#key()) === '1';
      this.#enhancedAt = 0;
      this.#send();
    });
  }

  #key(): string {
    return `sonoedge.enhance.${this.els.operator.value.trim() || '-'}`;
  }

  #send(): void {
    this.socket.send({ type: 'enhance', on: this.els.enhance.checked });
  }

  get on(): boolean {
    return this.els.enhance.checked;
  }

  /** An enhanced frame was drawn now. */
  drew(): void {
    this.#enhancedAt = performance.now();
  }

  /** Whether a raw frame should give way to the enhanced frames still coming. */
  showingEnhanced(): boolean {
    return this.els.enhance.checked && performance.now() - this.#enhancedAt < 500;
  }

  /** The enhancer left this frame raw (blank, colour): show raw frames. */
  leftRaw(): void {
    this.#enhancedAt = 0;
  }

  hello(models: LiveModel[]): void {
    const has = models.some((m) => m.task === 'enhance');
    this.els.enhanceRow.hidden = !has;
    this.els.enhance.checked = has && localStorage.getItem(this.#key()) === '1';
    if (this.els.enhance.checked) this.#send();
  }

  answered(m: EnhanceStateMessage): void {
    if (m.available) return;
    this.els.enhance.checked = false;
    this.els.enhanceRow.hidden = true;
  }
}
