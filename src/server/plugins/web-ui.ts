import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/** Serves the built web UI (web-ui/dist) at /, offline; says how to build it when it is missing. */
const webUi: FastifyPluginAsync = async (app) => {
  const dir = app.sono.webUiDir;
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { config: { access: 'public' } }, async (_req, reply) => reply.code(503).type('text/plain').send(`The web UI is not built (${dir} has no index.html). Run: npm run build`));
    return;
  }
  // one route per file found at start (not a /* wildcard): @fastify/static marks each with its root folder,
  // which the access plugin reads as "public" (the UI shell loads before sign-in); anything else is a 404
  await app.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: false });
};

export default fp(webUi, { name: 'sonoedge-web-ui' });
