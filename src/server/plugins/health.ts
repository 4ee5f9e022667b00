import { statfs } from 'node:fs/promises';
import { HealthDto } from '../../protocol/rest/index.js';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { isLoopback } from '../../access/device-names.js';
import type { Runtime } from '../runtime.js';

/** Health says so when a clinic chose plain HTTP beyond loopback (issue 17): it is a choice to see, not hide. */
function insecureHttp(server: Runtime['config']['server']): boolean {
  return server.tls === undefined && server.allowInsecureHttp && !isLoopback(server.host);
}

async function diskOf(path: string): Promise<{ path: string; freeBytes: number; totalBytes: number } | undefined> {
  try {
    const s = await statfs(path);
    return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

/** Free space with the disk guard's level and what to do (never a patient's data); statfs alone where no guard is wired. */
async function diskWithGuard(rt: Runtime): Promise<HealthDto['disk']> {
  const disk = await diskOf(rt.dataDir);
  const g = rt.disk?.state;
  if (!disk || !g) return disk;
  return { ...disk, level: g.level, message: g.message, warnFreeMb: g.warnFreeMb, stopCineFreeMb: g.stopCineFreeMb, refuseFreeMb: g.refuseFreeMb };
}

/** GET /api/health: 503 "starting" until sessions are warm and the source runs, then 200. */
const health: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/health',
    { config: { access: 'public' }, schema: { tags: ['system'], summary: 'Readiness, execution provider, models and source', response: { 200: HealthDto, 503: HealthDto } } },
    async (_req, reply) => {
      const rt = app.sono;
      const source = rt.pipeline?.source?.health();
      const stats = rt.pipeline?.stats();
      const body = {
        status: rt.state.startupError ? ('failed' as const) : rt.state.ready ? ('ok' as const) : ('starting' as const),
        provider: rt.sessions[0]?.provider,
        models: rt.sessions.map((s) => {
          const window = rt.modelUpdates?.health(s.id);
          return {
            id: s.id,
            version: s.version,
            task: s.pkg.manifest.task,
            provider: s.provider,
            precision: s.file.precision,
            attempts: s.attempts,
            ...(window ? { healthWindow: window.state } : {}),
          };
        }),
        source,
        pipeline: stats && {
          framesIn: stats.framesIn,
          framesTaken: stats.framesTaken,
          framesDropped: stats.framesDropped,
          errors: stats.errors,
          lastError: stats.lastError,
          framesRejected: stats.framesRejected,
          lastRejected: stats.lastRejected,
          sourceFaults: stats.sourceFaults,
          lastSourceFault: stats.lastSourceFault,
          framesSkipped: Object.fromEntries(Object.entries(stats.models).map(([id, m]) => [id, m.framesSkipped])),
        },
        faults: rt.faults,
        error: rt.state.startupError,
        ...(insecureHttp(rt.config.server) ? { insecureHttp: true as const } : {}),
        uptimeSeconds: (Date.now() - rt.startedAt) / 1000,
        disk: await diskWithGuard(rt),
        service: rt.service?.snapshot(),
        probe: rt.probe?.health(),
      };
      return reply.code(body.status === 'ok' ? 200 : 503).send(body);
    },
  );
};

export default fp(health, { name: 'sonoedge-health' });
