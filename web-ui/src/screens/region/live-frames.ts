/**
 * The region editor's own /api/live connection: it draws raw frames while the editor is open (enhanced
 * frames are for display only and never what a region is drawn on) and closes when it is left.
 */
import { FrameKind, decodeFrameHeader } from '../../../../src/protocol/index.js';

export class LiveFrames {
  #ws: WebSocket | undefined;

  constructor(private readonly onFrame: (buf: ArrayBuffer) => void) {}

  open(): void {
    if (this.#ws) return;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      try {
        if (decodeFrameHeader(ev.data).kind !== FrameKind.enhanced) this.onFrame(ev.data);
      } catch {
        // not a frame this page reads
      }
    };
    ws.onclose = () => {
      if (this.#ws === ws) this.#ws = undefined;
    };
    this.#ws = ws;
  }

  close(): void {
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.close();
  }
}
