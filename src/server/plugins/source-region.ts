/**
 * PUT/GET /api/source/region: the imaging region of the current source, set once per scanner by a
 * technician (a rectangle or a fan, optionally two taps on the depth scale for the pixel size), kept per
 * device or input (src/capture/source-identity.ts) in `<dataDir>/region.json` and applied to every frame of the size it was set on.
 */
import { join } from 'node:path';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ImagingRegion } from '../../capture/frame.js';
import type { FrameSource } from '../../capture/source.js';
import { RegionStore } from '../../capture/region-store.js';
import { GRABBER_DRIVERS, type RegionShape, boundsOf, spacingOfScale } from '../../capture/region.js';
import { identityOfSource } from '../../capture/source-identity.js';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { errorResponses } from '../../protocol/rest/errors.js';
import { RegionBody, RegionStateDto } from '../../protocol/rest/region.js';
import { auditRequest } from '../access/audit-request.js';
import { frameOnBus } from '../frame-wait.js';
import { declaredSpacingOf, mm } from '../calibration-check.js';
import type { PixelSpacing } from '../../capture/frame.js';

/** Records in the audit trail when the access part runs (it is what knows who asked). */
export function auditIfWired(req: FastifyRequest, action: string, target: string | null, details?: Record<string, unknown>): void {
  if (req.server.hasDecorator('access')) auditRequest(req, action, target, 'ok', details);
}

/** How long a region sent right after a source switch waits for the new source's first frame (as a calibration does). */
export const REGION_FIRST_FRAME_WAIT_MS = 3000;

const sourceRegion: FastifyPluginAsync = async (app) => {
  const tags = ['system'];
  const store = app.sono.regions ?? new RegionStore(join(app.sono.dataDir, 'region.json'));
  // the newest frame's size and region, to say whether the source itself declares one, and whose it is: the
  // pipeline publishes only the current source's frames, so the source current at publication sent it
  let last: { width: number; height: number; region: ImagingRegion; pixelSpacing: PixelSpacing | undefined; source: FrameSource | undefined } | undefined;
  const off = app.sono.bus.on('frame', (f) => {
    last = { width: f.width, height: f.height, region: f.region, pixelSpacing: f.pixelSpacing, source: app.sono.pipeline?.source };
  });
  app.addHook('onClose', async () => off());
  /** The newest frame when `src` sent it (not the previous source's, before `src` sent any). */
  const lastOf = (src: FrameSource | undefined): typeof last => (src && last?.source === src ? last : undefined);
  /** Resolves on the first frame of `src` on the bus, or after `ms`. */
  const frameOf = (src: FrameSource, ms: number): Promise<void> => frameOnBus(app.sono.bus, ms, () => lastOf(src));

  const state = (): RegionStateDto => {
    const src = app.sono.pipeline.source;
    const key = src && identityOfSource(src).key;
    const stored = key ? store.get(key) : undefined;
    // a region an earlier version kept under driver:id, not bound to this device (src/app/sources.ts adoptLegacyEntries)
    const legacy = src && !stored && store.legacy(src) ? RegionStore.keyOf(src) : undefined;
    const notApplied = legacy
      ? `A region saved by an earlier version under "${legacy}" is not applied to ${key}: that version did not record which device it was drawn on. Set the region of this source again, or clear it`
      : null;
    if (stored) {
      const shape = stored.shape as unknown as RegionShape;
      return {
        origin: 'set',
        region: stored.region,
        ...shape,
        frame: stored.frame,
        pixelSpacing: stored.pixelSpacing ?? null,
        setBy: stored.setBy ?? null,
        savedAt: stored.savedAt,
        reason: null,
        source: key,
        notApplied: null,
      };
    }
    const mine = lastOf(src);
    const r = mine?.region;
    const whole = !r || (r.x === 0 && r.y === 0 && r.width === mine?.width && r.height === mine.height);
    const origin = r?.origin === 'source' || (r && r.origin === undefined && !whole) ? 'source' : src && GRABBER_DRIVERS.has(src.driver) ? 'unset' : 'unknown';
    return {
      origin,
      region: origin === 'source' && r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null,
      frame: mine ? { width: mine.width, height: mine.height } : null,
      pixelSpacing: null,
      setBy: null,
      savedAt: null,
      reason: origin === 'unset' ? ErrorCodes.REGION_NOT_SET : null,
      ...(key ? { source: key } : {}),
      notApplied,
    };
  };

  app.get(
    '/api/source/region',
    {
      config: { access: 'signed-in' },
      schema: {
        tags,
        summary: "The current source's imaging region: set by a technician, declared by the source, or unset (its captures are then kept on the device)",
        response: { 200: RegionStateDto },
      },
    },
    async () => state(),
  );

  app.put<{ Body: RegionBody }>(
    '/api/source/region',
    {
      config: { access: 'technician' },
      schema: {
        tags,
        summary:
          "Set (a rectangle or a fan, with optional depth-scale taps) or clear the current source's imaging region; kept per source, applied to frames of the size it was drawn on. Taps on a source that declares its own spacing need overrideDeclaredSpacing: true (else 409 SONO_SPACING_OVERRIDE_UNCONFIRMED)",
        body: RegionBody,
        response: { 200: RegionStateDto, ...errorResponses(400, 409, 413, 415, 500) },
      },
    },
    async (req) => {
      const p = app.sono.pipeline;
      const src = p.source;
      if (!src) throw new SonoError(ErrorCodes.PIPELINE_NOT_RUNNING, "No source is delivering frames; set the region once the scanner's picture is live");
      const { key } = identityOfSource(src);
      // a region is drawn on this source's picture and holds for frames of its size: right after a switch the new
      // source's first frame is waited for, not the previous source's size taken; none within 3 s is refused
      if (!('clear' in req.body) && !lastOf(src)) await frameOf(src, REGION_FIRST_FRAME_WAIT_MS);
      const seen = lastOf(src);
      const frame = seen ? { width: seen.width, height: seen.height } : { width: 0, height: 0 }; // clearing needs no frame
      if (!seen && !('clear' in req.body))
        throw new SonoError(
          ErrorCodes.REGION_INVALID,
          `No frame has arrived from ${key} within ${REGION_FIRST_FRAME_WAIT_MS / 1000} s: a region is drawn on this source's live picture and holds for frames of its size. Wait for the live picture, then set the region again`,
          { details: { reason: 'no-frame', waitedMs: REGION_FIRST_FRAME_WAIT_MS } },
        );
      const legacy = store.legacy(src) ? RegionStore.keyOf(src) : undefined;
      const body = req.body;
      const shape: RegionShape | undefined = 'rect' in body ? { rect: body.rect } : 'fan' in body ? { fan: body.fan } : undefined;
      const region = shape && boundsOf(shape, frame);
      const scale = 'scale' in body ? body.scale : undefined;
      const pixelSpacing = scale ? spacingOfScale(scale, frame) : undefined;
      // depth-scale taps replace a spacing the source declares with every frame: only when the request says it was
      // asked (the editor asks "This source declares … Replace it?"); checked before anything is stored
      const declared = pixelSpacing ? declaredSpacingOf(seen, p) : undefined;
      const overrides = declared !== undefined && 'overrideDeclaredSpacing' in body && body.overrideDeclaredSpacing === true;
      if (declared && pixelSpacing && !overrides) {
        throw new SonoError(
          ErrorCodes.SPACING_OVERRIDE_UNCONFIRMED,
          `${key} declares its own pixel spacing (${mm(declared)}) with every frame; these depth-scale taps (${mm(pixelSpacing)}) would replace it in every measurement. Nothing was changed. Ask first, then send the region again with overrideDeclaredSpacing: true to replace it on purpose, or without the taps to keep the source's spacing`,
          { details: { reason: 'source-declares-spacing', declaredMmPerPx: [declared.x, declared.y], tapsMmPerPx: [pixelSpacing.x, pixelSpacing.y] } },
        );
      }
      const by = req.principal?.name;
      // Saved first: a region the technician believes is kept but would vanish at the next restart is worse than none.
      try {
        store.set(key, shape && region ? { shape, region, frame, scale, pixelSpacing, setBy: by } : undefined, legacy);
      } catch (err) {
        throw new SonoError(ErrorCodes.REGION_NOT_SAVED, `The imaging region could not be saved (${errorMessage(err)}); nothing was changed. Check the data folder's free space and permissions`, {
          cause: err,
        });
      }
      p.setRegionOverride(region ? { region, frame, pixelSpacing } : undefined);
      const replaced = overrides && declared ? { overrideDeclaredSpacing: true, declaredMmPerPx: [declared.x, declared.y], pixelSpacing } : {};
      auditIfWired(req, shape ? 'source.region.set' : 'source.region.clear', key, region ? { ...region, frameWidth: frame.width, frameHeight: frame.height, ...replaced } : undefined);
      return state();
    },
  );
};

export default fp(sourceRegion, { name: 'sonoedge-source-region' });
