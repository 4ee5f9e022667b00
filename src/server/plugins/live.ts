import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';
import { principalIsLive } from '../../access/access.js';
import type { Frame } from '../../capture/frame.js';
import { FrameEncoder, FrameKind } from '../frame-message.js';
import { LIVE_DEFAULTS, LiveViewers } from './live-viewers.js';
import { watchOtherWriters } from './other-writers.js';
import {
  type EnhanceStateMessage,
  type HelloMessage,
  LIVE_CLOSE,
  PROTOCOL_VERSION,
  type ProbeMessage,
  type ResultMessage,
  type StatusMessage,
  TASKS,
  parseClientMessage,
} from '../../protocol/index.js';

/**
 * GET /api/live (WebSocket). Pushes, unasked: one binary message per frame (src/protocol/frame-header.ts) and
 * one JSON text message per result ({ type: "result", seq, modelId, … }); every text message, both ways, is
 * a type of src/protocol/live-messages.ts. A client that falls behind skips
 * frames (never results), so one slow tablet cannot grow the daemon's memory.
 *
 * Enhanced view (display only): a client sends { type: "enhance", on: true | false } and is answered
 * { type: "enhance", on, available }. While at least one client has it on, the enhancement model runs
 * (it is off otherwise: no CPU spent when nobody looks) and those clients alone also get, per enhanced
 * frame, a binary frame message of kind 1 (same seq as the raw frame) and the enhance result as JSON.
 * Raw frames keep coming to everyone: the raw frame is always one tap away, and measurements always run
 * on it.
 *
 * Exam type: a client sends { type: "exam-type", examType: "obstetric" | "breast" } when its live page
 * shows that exam type's tools; with open exams, this chooses which diagnostic models run (model-gate.ts).
 *
 * Viewers that stop taking the view (no pong, backlog too long) are dropped and one user's views are capped
 * (server.live, live-viewers.ts), so stalled tablets cannot hold every WebSocket place of the device.
 */
/** How often an open live view checks that its user is still signed in. */
const LIVE_CREDENTIAL_CHECK_MS = 30_000;

const live: FastifyPluginAsync = async (app) => {
  const clients = new Set<WebSocket>();
  const encoder = new FrameEncoder(8);
  const rt = app.sono;
  let lastFrameBytes = 0;
  const enhancedViewers = new Set<WebSocket>();
  const enhancedEncoder = new FrameEncoder(4);
  /** Spacing and imaging region of the latest raw frame: an enhanced frame has the same geometry. */
  let geometry: Pick<Frame, 'pixelSpacing' | 'region'> = { pixelSpacing: undefined, region: { x: 0, y: 0, width: 0, height: 0 } };
  const enhanceIds = (): string[] => rt.sessions.filter((s) => s.pkg.manifest.task === TASKS.enhance).map((s) => s.id);
  const applyEnhance = (): void => {
    for (const id of enhanceIds()) rt.pipeline?.setModelEnabled(id, enhancedViewers.size > 0);
  };
  /** each open socket's own clean-up (live.ts lists, timers), run once whether it closed or was dropped */
  const cleanups = new Map<WebSocket, () => void>();
  const viewers = new LiveViewers(
    () => ({ ...LIVE_DEFAULTS, ...rt.config.server.live }),
    (ws) => cleanups.get(ws)?.(),
  );

  const offFrame = rt.bus.on('frame', (frame) => {
    if (clients.size === 0) return;
    geometry = { pixelSpacing: frame.pixelSpacing, region: frame.region };
    const msg = encoder.encode(frame);
    lastFrameBytes = msg.length;
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      // a viewer more than two frames behind skips this one; behind for too long, it is dropped
      const keepsUp = ws.bufferedAmount < 2 * msg.length;
      if (viewers.kept(ws, keepsUp) && keepsUp) {
        encoder.retain(msg);
        ws.send(msg, { binary: true }, () => encoder.release(msg));
      }
    }
  });
  const offResult = rt.bus.on('result', (event) => {
    if (clients.size === 0) return;
    if (event.result.task === TASKS.enhance) {
      // encoded now, synchronously: the analyzer reuses the image buffer for the next frame
      const img = event.result.image;
      const msg =
        img &&
        enhancedEncoder.encode(
          {
            seq: event.seq,
            timestampMs: event.frameTimestampMs,
            width: img.width,
            height: img.height,
            channels: 1,
            data: img.data,
            sourceId: event.sourceId,
            ...geometry,
          },
          FrameKind.enhanced,
        );
      const text = JSON.stringify(event); // the image serialises as its size only
      for (const ws of enhancedViewers) {
        if (ws.readyState !== ws.OPEN) continue;
        ws.send(text);
        if (msg && ws.bufferedAmount < 2 * msg.length) {
          enhancedEncoder.retain(msg);
          ws.send(msg, { binary: true }, () => enhancedEncoder.release(msg));
        }
      }
      return;
    }
    const text = JSON.stringify(event satisfies ResultMessage);
    for (const ws of clients) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < 8 * Math.max(lastFrameBytes, 65536)) ws.send(text);
    }
  });
  const offProbe = rt.bus.on('probe', (event) => {
    const text = JSON.stringify({ type: 'probe', event } satisfies ProbeMessage);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });
  const status = setInterval(() => {
    if (clients.size === 0) return;
    const src = rt.pipeline?.source?.health();
    const stats = rt.pipeline?.stats();
    const text = JSON.stringify({ type: 'status', ready: rt.state.ready, provider: rt.sessions[0]?.provider, source: src, framesDropped: stats?.framesDropped ?? 0 } satisfies StatusMessage);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  }, 1000);
  status.unref();
  // a revoke or disable from the CLI (another process) is checked within a second, not at the 30 s check
  const stopWatching = watchOtherWriters(
    rt.db,
    () => app.credentialsEnded.tell(),
    () => clients.size > 0,
  );

  app.addHook('onClose', async () => {
    stopWatching();
    offFrame();
    offResult();
    offProbe();
    clearInterval(status);
    viewers.close();
    for (const ws of clients) ws.terminate();
  });

  app.get(
    '/api/live',
    { websocket: true, config: { access: 'signed-in' }, schema: { tags: ['live'], summary: 'Live frames (binary) and results (JSON) over WebSocket', hide: false } },
    (socket, req) => {
      // the socket outlives the request that opened it: a user signed out, disabled or revoked meanwhile is dropped
      const principal = req.principal;
      viewers.add(socket, principal?.userId); // may close this user's oldest view first
      clients.add(socket);
      const check = (): void => {
        if (principal && socket.readyState === socket.OPEN && !principalIsLive(app.access, principal)) socket.close(LIVE_CLOSE.signedOut, 'Signed out');
      };
      const stillSignedIn = setInterval(check, LIVE_CREDENTIAL_CHECK_MS);
      stillSignedIn.unref();
      // credentials ended by this daemon (disable, new secret, revoked token, sign-out): checked at once
      const stopListening = app.credentialsEnded.listen(check);
      const hello: HelloMessage = {
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        provider: rt.sessions[0]?.provider,
        models: rt.sessions.map((s) => ({ id: s.id, version: s.version, task: s.pkg.manifest.task, provider: s.provider })),
        source: rt.pipeline?.source?.health(),
      };
      socket.send(JSON.stringify(hello));
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        const msg = isBinary ? undefined : parseClientMessage(data.toString());
        if (msg?.type === 'exam-type') {
          // the viewer's chosen exam type: only that type's model needs to run for this viewer
          rt.modelGate?.setViewer(socket, msg.examType);
          return;
        }
        if (msg?.type !== 'enhance') return;
        const available = enhanceIds().length > 0;
        const on = msg.on && available;
        if (on) enhancedViewers.add(socket);
        else enhancedViewers.delete(socket);
        applyEnhance();
        const answer: EnhanceStateMessage = {
          type: 'enhance',
          on,
          available,
          ...(msg.on && !available ? { reason: 'No enhancement model is loaded: add { id: enhance } to models in the configuration.' } : {}),
        };
        socket.send(JSON.stringify(answer));
      });
      const forget = (): void => {
        cleanups.delete(socket);
        viewers.delete(socket);
        clearInterval(stillSignedIn);
        stopListening();
        clients.delete(socket);
        if (enhancedViewers.delete(socket)) applyEnhance();
        rt.modelGate?.setViewer(socket, undefined);
      };
      cleanups.set(socket, forget);
      socket.on('close', forget);
      socket.on('error', forget);
    },
  );
};

export default fp(live, { name: 'sonoedge-live', dependencies: ['@fastify/websocket'] });
