import fastifyWebsocket from '@fastify/websocket';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import bestFrame from './plugins/best-frame.js';
import health from './plugins/health.js';
import live from './plugins/live.js';
import metrics from './plugins/metrics.js';
import records from './plugins/records.js';
import sync from './plugins/sync.js';
import source from './plugins/source.js';
import webUi from './plugins/web-ui.js';
import type { Runtime } from './runtime.js';

/** Builds the HTTP app: one plugin per feature, services from `runtime`. */
export async function buildApp(runtime: Runtime, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024, ajv: { customOptions: { removeAdditional: false } } }) as unknown as FastifyInstance;
  app.decorate('sono', runtime);
  await app.register(fastifySwagger, {
    openapi: { info: { title: 'sonoedge', version: '0.1.0', description: 'Point-of-care ultrasound AI runtime API' } },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(health);
  await app.register(metrics);
  await app.register(live);
  await app.register(bestFrame);
  await app.register(records);
  await app.register(sync);
  await app.register(source);
  await app.register(webUi);
  return app;
}
