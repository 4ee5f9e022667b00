import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { errorMessage } from '../../errors.js';

const Body = T.Object({
  driver: T.String({ minLength: 1, description: 'Driver name, e.g. simulated, replay, v4l2, dicom' }),
  settings: T.Optional(T.Record(T.String(), T.Unknown(), { description: "The driver's settings; default: its section in the config" })),
}, { additionalProperties: false });

/** PUT /api/source: switch the capture source without restarting; the old one keeps running if the new one fails. */
const source: FastifyPluginAsync = async (app) => {
  app.get('/api/source/drivers', { schema: { tags: ['system'], summary: 'Capture drivers this daemon can run', response: { 200: T.Object({ current: T.Optional(T.String()), drivers: T.Array(T.String()) }) } } }, async () => ({
    current: app.sono.pipeline?.source?.driver,
    drivers: app.sono.driverNames?.() ?? [],
  }));
  app.put<{ Body: Static<typeof Body> }>('/api/source', {
    schema: { tags: ['system'], summary: 'Switch the capture source (no restart)', body: Body, response: { 200: T.Object({ driver: T.String(), state: T.String() }), 400: T.Object({ statusCode: T.Number(), error: T.String(), message: T.String() }) } },
  }, async (req, reply) => {
    const rt = app.sono;
    const pipeline = rt.pipeline;
    if (!pipeline || !rt.createSource) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'The daemon is not running a pipeline yet' });
    let next;
    try {
      next = rt.createSource(req.body.driver, req.body.settings ?? rt.config.drivers[req.body.driver] ?? {});
      await pipeline.switchSource(next);
    } catch (err) {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `Source "${req.body.driver}" could not start: ${errorMessage(err)}` });
    }
    const h = next.health();
    return { driver: h.driver, state: h.state };
  });
};

export default fp(source, { name: 'sonoedge-source' });
