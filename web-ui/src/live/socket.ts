/**
 * The /api/live WebSocket: binary frames and JSON messages (src/protocol), reconnecting by itself with
 * backoff (0.5 s doubling to 5 s). A view the daemon closed for the same user's newer one (LIVE_CLOSE.replaced:
 * opened on another tab or device) stays closed until connect(): two tabs would otherwise take turns replacing
 * each other.
 */
import { type ClientMessage, LIVE_CLOSE, type ServerMessage, clientMessage, parseServerMessage } from '../../../src/protocol/index.js';

/** Why the live view closed, when the page must say something other than "reconnecting". */
export type LiveClosedWhy = 'replaced';

export interface LiveHandlers {
  open(): void;
  closed(why?: LiveClosedWhy): void;
  frame(buf: ArrayBuffer): void;
  message(msg: ServerMessage): void;
}

export class LiveSocket {
  #ws: WebSocket | undefined;
  #retryMs = 500;
  /** stopped while the page is locked: no reconnecting until someone signs in (connect()) again */
  #stopped = false;

  constructor(private readonly handlers: LiveHandlers) {}

  connect(): void {
    this.#stopped = false;
    if (this.#ws && this.#ws.readyState <= WebSocket.OPEN) return; // connecting or open already
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    ws.onopen = () => {
      this.#retryMs = 500;
      this.handlers.open();
    };
    ws.onmessage = (ev) => {
      if (ev.data instanceof ArrayBuffer) return this.handlers.frame(ev.data);
      const msg = parseServerMessage(ev.data as string);
      if (msg) this.handlers.message(msg);
    };
    ws.onclose = (ev) => {
      const replaced = ev.code === LIVE_CLOSE.replaced;
      if (replaced && this.#ws === ws) this.#stopped = true; // no reconnecting: the newer view keeps its place
      this.handlers.closed(replaced ? 'replaced' : undefined);
      if (this.#stopped || this.#ws !== ws) return;
      setTimeout(() => !this.#stopped && this.connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 5000);
    };
    ws.onerror = () => ws.close();
  }

  /** Closes the socket and stays closed (the page locked: no frame may arrive) until connect(). */
  stop(): void {
    this.#stopped = true;
    this.#ws?.close();
  }

  /** Sends when connected; a message sent while down is dropped (the page re-sends its choices on hello). */
  send(m: ClientMessage): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(clientMessage(m));
  }
}
