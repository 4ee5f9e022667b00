/**
 * The live canvas, drawn imperatively: pixels with putImageData into one reused ImageData (screenshots
 * and read-back show exactly what the clinician sees), then the overlay.
 */
import { decodeFrameHeader, type DecodedFrameHeader } from '../../../src/protocol/index.js';

export class FrameView {
  readonly ctx: CanvasRenderingContext2D;
  #image: ImageData | undefined;
  /** the frame message on the canvas now (a result that arrives for it is drawn on it) */
  shown: ArrayBuffer | undefined;
  /** its header (a result drawn on it does not read it again) */
  shownHeader: DecodedFrameHeader | undefined;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d', { alpha: false })!;
    const stage = canvas.parentElement;
    if (stage) new ResizeObserver(() => this.fit()).observe(stage);
  }

  /**
   * Scales the frame to the space the stage has, up or down, aspect kept (issue 18: the image scaled to
   * the space it has). CSS size only: the canvas keeps the frame's own pixels.
   */
  fit(): void {
    const stage = this.canvas.parentElement;
    if (!stage || stage.clientWidth === 0 || stage.clientHeight === 0) return;
    const scale = Math.min(stage.clientWidth / this.canvas.width, stage.clientHeight / this.canvas.height);
    const w = `${Math.floor(this.canvas.width * scale)}px`;
    const h = `${Math.floor(this.canvas.height * scale)}px`;
    if (this.canvas.style.width !== w) this.canvas.style.width = w;
    if (this.canvas.style.height !== h) this.canvas.style.height = h;
  }

  /** Grab radius of handles, in frame pixels (large enough for a gloved finger). */
  get reach(): number {
    return Math.max(24, this.canvas.width / 20);
  }

  get handleRadius(): number {
    return Math.max(14, this.canvas.width / 40);
  }

  /**
   * Draws a frame message's pixels; returns its header (undefined when the message is not a frame). `header`: the
   * message's, already read (not read again).
   */
  drawPixels(buf: ArrayBuffer, header?: DecodedFrameHeader): DecodedFrameHeader | undefined {
    let h: DecodedFrameHeader;
    try {
      h = header ?? decodeFrameHeader(buf);
    } catch {
      return undefined; // not a frame of this protocol version: never drawn
    }
    if (!this.#image || this.#image.width !== h.width || this.#image.height !== h.height) {
      this.canvas.width = h.width;
      this.canvas.height = h.height;
      this.#image = this.ctx.createImageData(h.width, h.height);
      this.fit();
    }
    const px = new Uint8Array(buf, h.pixelOffset);
    const out = this.#image.data;
    if (h.channels === 1) {
      for (let i = 0, j = 0; i < px.length; i++, j += 4) {
        const v = px[i]!;
        out[j] = v;
        out[j + 1] = v;
        out[j + 2] = v;
        out[j + 3] = 255;
      }
    } else {
      for (let i = 0, j = 0; i < px.length; i += 3, j += 4) {
        out[j] = px[i]!;
        out[j + 1] = px[i + 1]!;
        out[j + 2] = px[i + 2]!;
        out[j + 3] = 255;
      }
    }
    this.ctx.putImageData(this.#image, 0, 0);
    this.shown = buf;
    this.shownHeader = h;
    return h;
  }

  /** A pointer event's position in frame pixels. */
  toFrame(ev: PointerEvent): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    return [((ev.clientX - rect.left) / rect.width) * this.canvas.width, ((ev.clientY - rect.top) / rect.height) * this.canvas.height];
  }
}
