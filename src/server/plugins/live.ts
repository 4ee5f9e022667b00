import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';
import { FrameEncoder } from '../frame-message.js';

/**
 * GET /api/live (WebSocket). Pushes, unasked: one binary message per frame (see frame-message.ts) and one
 * JSON text message per result ({ type: "result", seq, modelId, … }). A client that falls behind skips
 * frames (never results), so one slow tablet cannot grow the daemon's memory.
 */
const live: FastifyPluginAsync = async (app) => {
  const clients = new Set<WebSocket>();
  const encoder = new FrameEncoder(8);
  const rt = app.sono;
  let lastFrameBytes = 0;

  const offFrame = rt.bus.on('frame', (frame) => {
    if (clients.size === 0) return;
    const msg = encoder.encode(frame);
    lastFrameBytes = msg.length;
    for (const ws of clients) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < 2 * msg.length) {
        encoder.retain(msg);
        ws.send(msg, { binary: true }, () => encoder.release(msg));
      }
    }
  });
  const offResult = rt.bus.on('result', (event) => {
    if (clients.size === 0) return;
    const text = JSON.stringify(event);
    for (const ws of clients) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < 8 * Math.max(lastFrameBytes, 65536)) ws.send(text);
    }
  });
  const offProbe = rt.bus.on('probe', (event) => {
    const text = JSON.stringify({ type: 'probe', event });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });
  const status = setInterval(() => {
    if (clients.size === 0) return;
    const src = rt.pipeline?.source?.health();
    const stats = rt.pipeline?.stats();
    const text = JSON.stringify({ type: 'status', ready: rt.state.ready, provider: rt.sessions[0]?.provider, source: src, framesDropped: stats?.framesDropped ?? 0 });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  }, 1000);
  status.unref();

  app.addHook('onClose', async () => {
    offFrame();
    offResult();
    offProbe();
    clearInterval(status);
    for (const ws of clients) ws.terminate();
  });

  app.get('/api/live', { websocket: true, schema: { tags: ['live'], summary: 'Live frames (binary) and results (JSON) over WebSocket', hide: false } }, (socket) => {
    clients.add(socket);
    socket.send(JSON.stringify({
      type: 'hello',
      provider: rt.sessions[0]?.provider,
      models: rt.sessions.map((s) => ({ id: s.id, version: s.version, task: s.pkg.manifest.task, provider: s.provider })),
      source: rt.pipeline?.source?.health(),
    }));
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => clients.delete(socket));
  });
};

export default fp(live, { name: 'sonoedge-live', dependencies: ['@fastify/websocket'] });
