/**
 * Who holds the live view, and dropping those who no longer take it (review: 16 backgrounded tablets held every
 * WebSocket place of the device; a place is freed only when its socket closes, and nothing closed them).
 * - Keep-alive: every viewer is pinged each `pingIntervalMs`; one that has not answered the previous ping by the
 *   next is terminated (its TCP connection cut: a close frame would wait behind its unread backlog).
 * - Slow viewer: one whose unsent backlog stays above two frames (live.ts then skips its frames) for longer than
 *   `slowViewerMs` is terminated.
 * - Per user: a user's viewer past `maxViewersPerUser` closes that user's oldest with LIVE_CLOSE.replaced: a
 *   clinician who reopens the tab gets in, and the replaced tab knows not to reconnect. (server.maxWebSockets,
 *   the device's cap, is the guard's: src/server/access/guard.ts refuses past it with 503.)
 * The settings are read on each use, so a reloaded config applies to the next tick and the next viewer.
 */
import type { WebSocket } from 'ws';
import { LIVE_CLOSE } from '../../protocol/index.js';

export interface ViewerLimits {
  pingIntervalMs: number;
  slowViewerMs: number;
  maxViewersPerUser: number;
}

/** server.live's defaults (src/config/schema.ts), for a config built in code without the section */
export const LIVE_DEFAULTS = { pingIntervalMs: 10_000, slowViewerMs: 15_000, maxViewersPerUser: 4 } as const;

interface Viewer {
  userId: number | undefined;
  /** answered (pong) since the last ping */
  alive: boolean;
  /** since when its backlog has stayed above two frames; undefined when it keeps up */
  behindSince: number | undefined;
}

/** A replaced viewer's socket is cut this long after its close frame if the close handshake did not finish. */
const REPLACED_GRACE_MS = 2000;

export class LiveViewers {
  /** in opening order: the first of a user's is their oldest */
  readonly #viewers = new Map<WebSocket, Viewer>();
  #timer: NodeJS.Timeout | undefined;
  #everyMs = 0;

  /** `forget` takes a dropped viewer out of every list of live.ts at once (no frame goes to it meanwhile). */
  constructor(
    private readonly limits: () => ViewerLimits,
    private readonly forget: (ws: WebSocket) => void,
  ) {}

  get size(): number {
    return this.#viewers.size;
  }

  /** A new live view: past the user's share, the user's oldest views are closed to make room. */
  add(ws: WebSocket, userId: number | undefined): void {
    const l = this.limits();
    const viewer: Viewer = { userId, alive: true, behindSince: undefined };
    ws.on('pong', () => (viewer.alive = true));
    const mine = userId === undefined ? [] : [...this.#viewers].filter(([, v]) => v.userId === userId).map(([s]) => s);
    for (const old of mine.slice(0, Math.max(0, mine.length + 1 - l.maxViewersPerUser))) this.#replace(old);
    this.#viewers.set(ws, viewer);
    this.#schedule(l.pingIntervalMs);
  }

  delete(ws: WebSocket): void {
    this.#viewers.delete(ws);
    if (this.#viewers.size === 0) this.#stopTimer();
  }

  /** A frame went to `ws` (it keeps up) or was skipped for it (backlog above two frames); false: drop it now. */
  kept(ws: WebSocket, sent: boolean, now = Date.now()): boolean {
    const v = this.#viewers.get(ws);
    if (!v) return true;
    if (sent) v.behindSince = undefined;
    else if (v.behindSince === undefined) v.behindSince = now;
    else if (now - v.behindSince > this.limits().slowViewerMs) {
      this.#drop(ws);
      return false;
    }
    return true;
  }

  close(): void {
    this.#stopTimer();
    for (const ws of this.#viewers.keys()) ws.terminate();
    this.#viewers.clear();
  }

  #replace(ws: WebSocket): void {
    this.forget(ws);
    ws.close(LIVE_CLOSE.replaced, 'Opened on another tab or device');
    setTimeout(() => ws.terminate(), REPLACED_GRACE_MS).unref();
  }

  #drop(ws: WebSocket): void {
    this.forget(ws);
    ws.terminate();
  }

  #tick(): void {
    for (const [ws, v] of [...this.#viewers]) {
      if (ws.readyState !== ws.OPEN) continue;
      if (!v.alive) {
        this.#drop(ws);
        continue;
      }
      v.alive = false;
      ws.ping();
    }
    this.#schedule(this.limits().pingIntervalMs);
  }

  /** One timer for all viewers; restarted when the configured interval changed. */
  #schedule(everyMs: number): void {
    if (this.#timer && this.#everyMs === everyMs) return;
    this.#stopTimer();
    this.#everyMs = everyMs;
    this.#timer = setInterval(() => this.#tick(), everyMs);
    this.#timer.unref();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
