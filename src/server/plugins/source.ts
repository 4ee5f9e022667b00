import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { errorMessage } from '../../errors.js';
import { spacingFromCalibration } from '../../capture/calibration.js';
import { CalibrationStore } from '../../capture/calibration-store.js';

const Body = T.Object({
  driver: T.String({ minLength: 1, description: 'Driver name, e.g. simulated, replay, v4l2, dicom' }),
  settings: T.Optional(T.Record(T.String(), T.Unknown(), { description: "The driver's settings; default: its section in the config" })),
}, { additionalProperties: false });

/** PUT /api/source: switch the capture source without restarting; the old one keeps running if the new one fails. */
const Err = T.Object({ statusCode: T.Number(), error: T.String(), message: T.String() });

const source: FastifyPluginAsync = async (app) => {
  app.get('/api/source/drivers', { schema: { tags: ['system'], summary: 'Capture drivers this daemon can run', response: { 200: T.Object({ current: T.Optional(T.String()), drivers: T.Array(T.String()) }) } } }, async () => ({
    current: app.sono.pipeline?.source?.driver,
    drivers: app.sono.driverNames?.() ?? [],
  }));
  const Cal = T.Union([
    T.Object({ pixelSpacingMm: T.Number({ exclusiveMinimum: 0, maximum: 10 }) }, { additionalProperties: false }),
    T.Object({ x1: T.Number(), y1: T.Number(), x2: T.Number(), y2: T.Number(), distanceMm: T.Number({ exclusiveMinimum: 0, maximum: 1000 }) }, { additionalProperties: false }),
    T.Object({ clear: T.Literal(true) }, { additionalProperties: false }),
  ]);
  const Spacing = T.Object({
    pixelSpacing: T.Union([T.Object({ x: T.Number(), y: T.Number() }), T.Null()]),
    frame: T.Optional(T.Object({ width: T.Integer(), height: T.Integer() }, { description: 'Frame size it was made on; frames of another size keep the source\'s own spacing' })),
  });
  const current = (): Static<typeof Spacing> => {
    const o = app.sono.pipeline?.spacingOverride;
    return o ? { pixelSpacing: o.pixelSpacing, ...(o.frame ? { frame: o.frame } : {}) } : { pixelSpacing: null };
  };
  app.get('/api/source/calibration', { schema: { tags: ['system'], summary: 'Pixel spacing set by a calibration of the current source (null: the source\'s own)', response: { 200: Spacing } } },
    async () => current());
  app.put<{ Body: Static<typeof Cal> }>('/api/source/calibration', {
    schema: {
      tags: ['system'], summary: 'Calibrate pixel spacing of the current source: a known spacing, or two points a known distance apart (made in the UI); kept across restarts, per source',
      body: Cal, response: { 200: Spacing, 400: Err, 500: Err },
    },
  }, async (req, reply) => {
    const p = app.sono.pipeline;
    const src = p?.source;
    if (!p || !src) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'No pipeline is running' });
    const key = CalibrationStore.keyOf(src);
    let next: Parameters<typeof p.setSpacingOverride>[0];
    try {
      const sp = 'clear' in req.body ? undefined : spacingFromCalibration(req.body);
      next = sp && { pixelSpacing: sp, frame: p.lastFrameSize() };
    } catch (err) {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: errorMessage(err) });
    }
    // Saved first: a calibration the clinician believes is kept but would vanish at the next restart is worse than none.
    try {
      app.sono.calibrations?.set(key, next && !('clear' in req.body) ? { calibration: req.body, ...next } : undefined);
    } catch (err) {
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: `The calibration could not be saved (${errorMessage(err)}); nothing was changed` });
    }
    p.setSpacingOverride(next);
    return current();
  });
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
