/**
 * The /api/live WebSocket: binary frames and JSON messages (src/protocol), reconnecting by itself with
 * backoff (0.5 s doubling to 5 s).
 */
import { type ClientMessage, type ServerMessage, clientMessage, parseServerMessage } from '../../../src/protocol/index.js';

export interface LiveHandlers {
  open(): void;
  closed(): void;
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
    ws.onclose = () => {
      this.handlers.closed();
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
