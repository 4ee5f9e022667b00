import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/** Each request's client address as read while its socket was open (a reset socket no longer has one). */
const captured = new WeakMap<IncomingMessage, string>();

/** Keeps the client address of each request `server` receives, read as its headers arrive, before any hook or body. */
export function captureClients(server: { on(event: 'request', listener: (req: IncomingMessage) => void): unknown }): void {
  server.on('request', (req: IncomingMessage) => {
    const ip = req.socket.remoteAddress;
    if (ip) captured.set(req, ip);
  });
}

/**
 * The client address the audit trail records and the sign-in queue bounds (no proxy is trusted: the socket's
 * peer): the one captured at the request's start, else the socket's now, else 'unknown' (the socket was reset
 * before anything read it) — never undefined, so no request passes for one without an address.
 */
export function clientOf(req: FastifyRequest): string {
  return captured.get(req.raw) ?? (req.ip as string | undefined) ?? 'unknown';
}

/**
 * True once the client's TCP connection is gone: closed, or reset (a reset socket has no peer address any more:
 * getpeername fails, often before its request is even read). No answer can reach it.
 */
export function clientGone(req: FastifyRequest): boolean {
  const socket = req.raw.socket as { destroyed?: boolean; remoteAddress?: string } | undefined;
  return socket === undefined || socket.destroyed === true || !socket.remoteAddress;
}

/**
 * Runs `attempt` with a signal that aborts once the request's connection closes (the client gave up, or reset
 * it): a sign-in still waiting in the hash queue then leaves it unhashed (src/access/hash-queue.ts). The
 * listener is removed when `attempt` ends, so a kept-alive connection does not collect them.
 */
export async function whileConnected<T>(req: FastifyRequest, attempt: (gone: AbortSignal) => Promise<T>): Promise<T> {
  const gone = new AbortController();
  const socket = req.raw.socket as { once?(event: 'close', f: () => void): unknown; off?(event: 'close', f: () => void): unknown } | undefined;
  const abort = (): void => gone.abort();
  socket?.once?.('close', abort);
  if (clientGone(req)) abort();
  try {
    return await attempt(gone.signal);
  } finally {
    socket?.off?.('close', abort);
  }
}
