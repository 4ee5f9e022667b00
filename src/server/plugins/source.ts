import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { type CalibrationInput, CalibrationStore, noneSeen } from '../../capture/calibration-store.js';
import type { Frame } from '../../capture/frame.js';
import { identityOfSource } from '../../capture/source-identity.js';
import { checkNetworkSettings, mediaRoots } from '../../capture/network-settings.js';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { CalibrationBody, DriversDto, SourceBody, SourceStateDto, SpacingDto, errorResponses } from '../../protocol/rest/index.js';
import { calibrationStatus, mm, ownSpacingOnBus, spacingOfCalibration } from '../calibration-check.js';
import { auditRequest } from '../access/audit-request.js';
import { frameOnBus } from '../frame-wait.js';

/** How long a calibration sent right after a source switch waits for the new source's first frame. */
const FIRST_FRAME_WAIT_MS = 3000;

/** Sources (switch without a restart) and the pixel-spacing calibration of the current one. */
const source: FastifyPluginAsync = async (app) => {
  const tags = ['system'];
  // the newest frame, for a pipeline that does not record what its frames declared (see ownSpacingOnBus)
  let lastOnBus: Frame | undefined;
  const off = app.sono.bus.on('frame', (f) => {
    lastOnBus = f;
  });
  app.addHook('onClose', async () => off());
  /** Resolves on the next frame on the bus, or after `ms`. */
  const nextFrame = (ms: number): Promise<void> => frameOnBus(app.sono.bus, ms);
  app.get('/api/source/drivers', { config: { access: 'technician' }, schema: { tags, summary: 'Capture drivers this daemon can run', response: { 200: DriversDto } } }, async () => ({
    current: app.sono.pipeline?.source?.driver,
    drivers: app.sono.driverNames?.() ?? [],
  }));
  const current = (): SpacingDto => calibrationStatus(app.sono.pipeline?.source, app.sono.pipeline?.spacingOverride, app.sono.calibrations);
  app.get(
    '/api/source/calibration',
    {
      config: { access: 'technician' },
      schema: {
        tags,
        summary: "Pixel spacing set by a calibration of the current source (null: the source's own), what its frames go on with and why",
        response: { 200: SpacingDto },
      },
    },
    async () => current(),
  );
  app.put<{ Body: CalibrationBody }>(
    '/api/source/calibration',
    {
      config: { access: 'technician' },
      schema: {
        tags,
        summary:
          'Calibrate pixel spacing of the current source: a known spacing, or two points a known distance apart (made in the UI); kept across restarts, per device or input. On a source that declares its own spacing the calibration replaces it (override; override: false is refused)',
        body: CalibrationBody,
        response: { 200: SpacingDto, ...errorResponses(400, 409, 413, 415, 500) },
      },
    },
    async (req) => {
      const p = app.sono.pipeline;
      const src = p?.source;
      if (!p || !src) throw new SonoError(ErrorCodes.PIPELINE_NOT_RUNNING, 'No pipeline is running; calibrate once the source delivers frames');
      const { key } = identityOfSource(src);
      const store = app.sono.calibrations;
      // a calibration is made on this source's frames: right after a switch its first frame is waited for (a
      // simulated or network source sends one within a frame time) rather than refused; none within 3 s is refused
      const framed = (): boolean => (p.spacingOverride?.seen ? p.spacingOverride.seen.width > 0 : p.lastFrameSize() !== undefined);
      if (!('clear' in req.body) && !framed()) await nextFrame(FIRST_FRAME_WAIT_MS);
      // what this source's frames declared (the daemon's pipeline records it per source; another falls back on the bus)
      const known = p.spacingOverride?.seen;
      const seen = known ?? noneSeen();
      let next: CalibrationInput | undefined;
      if (!('clear' in req.body)) {
        const { override, ...calibration } = req.body;
        // the size of this source's frames: not the previous source's, before this one sent any
        const frame = known ? (known.width > 0 ? { width: known.width, height: known.height } : undefined) : p.lastFrameSize();
        const pixelSpacing = spacingOfCalibration(calibration, frame);
        const declared = known ? known.own : ownSpacingOnBus(lastOnBus, p);
        // a calibration made on this very source is the technician replacing its spacing on purpose (the UI's
        // two-point tool sends no flag): kept as an override; only an explicit override: false is refused
        if (declared && override === false) {
          throw new SonoError(
            ErrorCodes.CALIBRATION_INVALID,
            `${key} declares its own pixel spacing (${mm(declared)}) with every frame; a calibration would replace it in every measurement. Check the scanner's depth setting instead, or send the calibration again with override: true to replace it on purpose`,
            { details: { reason: 'source-declares-spacing', declaredMmPerPx: [declared.x, declared.y] } },
          );
        }
        next = { calibration, pixelSpacing, frame: frame!, override: override === true || (declared !== undefined && override === undefined) };
      }
      // Saved first: a calibration the clinician believes is kept but would vanish at the next restart is worse than none.
      try {
        store?.set(key, next, store.legacy(src) ? CalibrationStore.keyOf(src) : undefined);
      } catch (err) {
        throw new SonoError(ErrorCodes.CALIBRATION_NOT_SAVED, `The calibration could not be saved (${errorMessage(err)}); nothing was changed. Check the data folder's free space and permissions`, {
          cause: err,
        });
      }
      p.setSpacingOverride(next ? { pixelSpacing: next.pixelSpacing, frame: next.frame, override: next.override, seen } : { seen });
      auditRequest(req, 'source.calibration', key, 'ok', { pixelSpacing: next?.pixelSpacing ?? null, ...(next?.override ? { override: true } : {}) });
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
