import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { CalibrationStore } from '../../capture/calibration-store.js';
import { checkNetworkSettings, mediaRoots } from '../../capture/network-settings.js';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { CalibrationBody, DriversDto, SourceBody, SourceStateDto, SpacingDto, errorResponses } from '../../protocol/rest/index.js';
import { spacingOfCalibration } from '../calibration-check.js';
import { auditRequest } from '../access/audit-request.js';

/** Sources (switch without a restart) and the pixel-spacing calibration of the current one. */
const source: FastifyPluginAsync = async (app) => {
  const tags = ['system'];
  app.get('/api/source/drivers', { config: { access: 'technician' }, schema: { tags, summary: 'Capture drivers this daemon can run', response: { 200: DriversDto } } }, async () => ({
    current: app.sono.pipeline?.source?.driver,
    drivers: app.sono.driverNames?.() ?? [],
  }));
  const current = (): SpacingDto => {
    const o = app.sono.pipeline?.spacingOverride;
    return o ? { pixelSpacing: o.pixelSpacing, ...(o.frame ? { frame: o.frame } : {}) } : { pixelSpacing: null };
  };
  app.get(
    '/api/source/calibration',
    { config: { access: 'technician' }, schema: { tags, summary: "Pixel spacing set by a calibration of the current source (null: the source's own)", response: { 200: SpacingDto } } },
    async () => current(),
  );
  app.put<{ Body: CalibrationBody }>(
    '/api/source/calibration',
    {
      config: { access: 'technician' },
      schema: {
        tags,
        summary: 'Calibrate pixel spacing of the current source: a known spacing, or two points a known distance apart (made in the UI); kept across restarts, per source',
        body: CalibrationBody,
        response: { 200: SpacingDto, ...errorResponses(400, 409, 413, 415, 500) },
      },
    },
    async (req) => {
      const p = app.sono.pipeline;
      const src = p?.source;
      if (!p || !src) throw new SonoError(ErrorCodes.PIPELINE_NOT_RUNNING, 'No pipeline is running; calibrate once the source delivers frames');
      const frame = p.lastFrameSize();
      const sp = 'clear' in req.body ? undefined : spacingOfCalibration(req.body, frame);
      const next = sp && { pixelSpacing: sp, frame };
      // Saved first: a calibration the clinician believes is kept but would vanish at the next restart is worse than none.
      try {
        app.sono.calibrations?.set(CalibrationStore.keyOf(src), next && !('clear' in req.body) ? { calibration: req.body, ...next } : undefined);
      } catch (err) {
        throw new SonoError(ErrorCodes.CALIBRATION_NOT_SAVED, `The calibration could not be saved (${errorMessage(err)}); nothing was changed. Check the data folder's free space and permissions`, {
          cause: err,
        });
      }
      p.setSpacingOverride(next);
      auditRequest(req, 'source.calibration', CalibrationStore.keyOf(src), 'ok', { pixelSpacing: sp ?? null });
      return current();
    },
  );
  app.put<{ Body: SourceBody }>(
    '/api/source',
    {
      config: { access: 'technician' },
      schema: { tags, summary: 'Switch the capture source (no restart)', body: SourceBody, response: { 200: SourceStateDto, ...errorResponses(400, 409, 413, 415) } },
    },
    async (req) => {
      const rt = app.sono;
      const pipeline = rt.pipeline;
      if (!pipeline || !rt.createSource) throw new SonoError(ErrorCodes.PIPELINE_NOT_RUNNING, 'The daemon is not running a pipeline yet; try again once health says ok');
      const settings =
        req.body.settings === undefined
          ? (rt.config.drivers[req.body.driver] ?? {}) // the config file's: full power
          : checkNetworkSettings(req.body.driver, req.body.settings, { policyOf: (d) => rt.networkPolicy?.(d), mediaRoots: mediaRoots(rt.config.media), drivers: rt.driverNames() });
      let next;
      try {
        next = rt.createSource(req.body.driver, settings);
        await pipeline.switchSource(next);
      } catch (err) {
        const code = err instanceof SonoError && err.code === ErrorCodes.SOURCE_UNKNOWN ? ErrorCodes.SOURCE_UNKNOWN : ErrorCodes.SOURCE_FAILED;
        auditRequest(req, 'source.change', req.body.driver, 'failed', { code });
        throw new SonoError(code, `Source "${req.body.driver}" could not start: ${errorMessage(err)}`, { cause: err });
      }
      const h = next.health();
      auditRequest(req, 'source.change', req.body.driver, 'ok', { fromNetwork: req.body.settings !== undefined });
      return { driver: h.driver, state: h.state };
    },
  );
};

export default fp(source, { name: 'sonoedge-source' });
