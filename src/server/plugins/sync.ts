import { SyncStateDto } from '../../protocol/rest/index.js';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, SonoError } from '../../errors.js';
import { GateStore } from '../../ocr/gate-store.js';
import { imageOf, rewritePayload } from '../../ocr/payload-pixels.js';
import { errorResponses } from '../../protocol/rest/errors.js';
import { ItemParams, ReleaseBody, ReleaseDto } from '../../protocol/rest/region.js';
import { RequeueBody, RequeueDto } from '../../protocol/rest/sync-requeue.js';
import { auditIfWired } from './source-region.js';

/**
 * GET /api/sync: queue state per target and per item (de-identified identifiers only); an image the OCR gate
 * holds shows `state: "held"` and its `reason`. POST /api/sync/items/:id/release lets a technician release
 * a held image as it is (BurnedInAnnotation YES) or with boxes blacked out (read again before it goes).
 * POST /api/sync/requeue puts rejected items (of a target, an exam, or all) back in the queue, attempts reset.
 */
const sync: FastifyPluginAsync = async (app) => {
  app.get('/api/sync', { config: { access: 'technician' }, schema: { tags: ['sync'], summary: 'Outbox state per target and item', response: { 200: SyncStateDto } } }, async () => {
    const s = app.sono.sync;
    if (!s) return { targets: [], items: [] };
    const counts = s.outbox.counts();
    return {
      targets: s.worker.status().map((t) => ({
        ...t,
        counts: { pending: 0, sent: 0, rejected: 0, checking: 0, held: 0, ...Object.fromEntries(counts.filter((c) => c.target === t.name).map((c) => [c.state, c.n])) },
      })),
      items: s.outbox.items(),
    };
  });

  app.post<{ Params: ItemParams; Body: ReleaseBody }>(
    '/api/sync/items/:id/release',
    {
      config: { access: 'technician' },
      schema: {
        tags: ['sync'],
        summary: 'Release a held outgoing image: as it is, or masked (the boxes blacked out, then read again by the OCR)',
        params: ItemParams,
        body: ReleaseBody,
        response: { 200: ReleaseDto, ...errorResponses(400, 404, 409, 500) },
      },
    },
    async (req) => {
      const gates = new GateStore(app.sono.db);
      const item = gates.itemById(req.params.id);
      const gate = item && gates.get(item.sopInstanceUid);
      if (!item || !gate) throw new SonoError(ErrorCodes.SYNC_ITEM_NOT_FOUND, `No outgoing image with item id ${req.params.id}; list them with GET /api/sync`, { details: { id: req.params.id } });
      if (gate.state !== 'held')
        throw new SonoError(ErrorCodes.SYNC_ITEM_NOT_HELD, `Outgoing item ${req.params.id} is ${gate.state}, not held; only a held image is released`, {
          details: { id: req.params.id, state: gate.state },
        });
      const mask = req.body.mask ?? [];
      // with no region, the whole screen would go out: only a masked image, read again, may leave
      if (mask.length === 0 && gate.reason?.code !== 'SONO_BURNED_IN_TEXT') {
        throw new SonoError(
          ErrorCodes.SYNC_MASK_REQUIRED,
          `Outgoing item ${req.params.id} is held for ${gate.reason?.code ?? 'an unknown reason'}; release it with a mask (the boxes to black out), or set the source's imaging region`,
          { details: { id: req.params.id } },
        );
      }
      const next = mask.length > 0 ? 'checking' : 'released';
      const payload = rewritePayload(imageOf(item.payload), mask, mask.length > 0 ? 'NO' : 'YES');
      gates.decide(item.sopInstanceUid, payload, next, req.principal?.name ?? null);
      auditIfWired(req, mask.length > 0 ? 'sync.image.mask-release' : 'sync.image.release', item.sopInstanceUid, { reason: gate.reason?.code ?? null, boxes: mask.length });
      app.sono.sync?.worker.poke();
      return { sopInstanceUid: item.sopInstanceUid, state: next };
    },
  );

  app.post<{ Body: RequeueBody }>(
    '/api/sync/requeue',
    {
      config: { access: 'technician' },
      schema: {
        tags: ['sync'],
        summary: 'Send rejected outgoing items again (of one target, one exam, or all): pending, attempts reset, due now',
        body: RequeueBody,
        response: { 200: RequeueDto, ...errorResponses(400, 500) },
      },
    },
    async (req) => {
      const s = app.sono.sync;
      const { target, examId } = req.body;
      const requeued = s ? s.outbox.requeueRejected({ target, examId }) : 0;
      auditIfWired(req, 'sync.requeue', target ?? null, { target: target ?? null, examId: examId ?? null, requeued });
      if (requeued > 0) s?.worker.poke();
      return { requeued };
    },
  );
};

export default fp(sync, { name: 'sonoedge-sync' });
