import { statfs } from 'node:fs/promises';
import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

const Attempt = T.Object({ provider: T.String(), ok: T.Boolean(), reason: T.Optional(T.String()) });
const Health = T.Object({
  status: T.Union([T.Literal('starting'), T.Literal('ok'), T.Literal('failed')]),
  provider: T.Optional(T.String({ description: 'Execution provider of the first model, e.g. "cpu"' })),
  models: T.Array(T.Object({ id: T.String(), version: T.String(), task: T.String(), provider: T.String(), precision: T.String(), attempts: T.Array(Attempt) })),
  source: T.Optional(T.Object({
    driver: T.String(), state: T.String(), connected: T.Boolean(), fps: T.Number(), framesDelivered: T.Number(), errors: T.Number(), lastError: T.Optional(T.String()),
  })),
  pipeline: T.Optional(T.Object({
    framesIn: T.Number(), framesTaken: T.Number(), framesDropped: T.Number(), errors: T.Number(), lastError: T.Optional(T.String()),
    framesRejected: T.Number({ description: 'Malformed frames refused at the entrance' }), lastRejected: T.Optional(T.String()),
    sourceFaults: T.Number({ description: 'Sources stopped because their driver failed while running' }), lastSourceFault: T.Optional(T.String()),
  })),
  faults: T.Optional(T.Object({
    attributed: T.Number({ description: 'Uncaught errors blamed on a capture source' }),
    unattributed: T.Number({ description: 'Uncaught errors in the daemon itself (logged at fatal level: please report)' }),
    lastUnattributed: T.Optional(T.String()),
  })),
  error: T.Optional(T.String()),
  uptimeSeconds: T.Number(),
  probe: T.Optional(T.Object({ driver: T.String(), connected: T.Boolean(), framesOk: T.Number(), crcErrors: T.Number(), unknownTypes: T.Number(), garbageBytes: T.Number(), lastError: T.Optional(T.String()) })),
  disk: T.Optional(T.Object({ path: T.String(), freeBytes: T.Number(), totalBytes: T.Number() })),
});

async function diskOf(path: string): Promise<{ path: string; freeBytes: number; totalBytes: number } | undefined> {
  try {
    const s = await statfs(path);
    return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

/** GET /api/health: 503 "starting" until sessions are warm and the source runs, then 200. */
const health: FastifyPluginAsync = async (app) => {
  app.get('/api/health', { schema: { tags: ['system'], summary: 'Readiness, execution provider, models and source', response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    const rt = app.sono;
    const source = rt.pipeline?.source?.health();
    const stats = rt.pipeline?.stats();
    const body = {
      status: rt.state.startupError ? 'failed' as const : rt.state.ready ? 'ok' as const : 'starting' as const,
      provider: rt.sessions[0]?.provider,
      models: rt.sessions.map((s) => ({ id: s.id, version: s.version, task: s.pkg.manifest.task, provider: s.provider, precision: s.file.precision, attempts: s.attempts })),
      source,
      pipeline: stats && {
        framesIn: stats.framesIn, framesTaken: stats.framesTaken, framesDropped: stats.framesDropped, errors: stats.errors, lastError: stats.lastError,
        framesRejected: stats.framesRejected, lastRejected: stats.lastRejected, sourceFaults: stats.sourceFaults, lastSourceFault: stats.lastSourceFault,
      },
      faults: rt.faults,
      error: rt.state.startupError,
      uptimeSeconds: (Date.now() - rt.startedAt) / 1000,
      disk: await diskOf(rt.dataDir),
      probe: rt.probe?.health(),
    };
    return reply.code(body.status === 'ok' ? 200 : 503).send(body);
  });
};

export default fp(health, { name: 'sonoedge-health' });
