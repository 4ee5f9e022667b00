import { SyncStateDto } from '../../protocol/rest/index.js';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, SonoError } from '../../errors.js';
import { GateStore } from '../../ocr/gate-store.js';
import { imageOf, rewritePayload } from '../../ocr/payload-pixels.js';
import { errorResponses } from '../../protocol/rest/errors.js';
import { ItemParams, ReleaseBody, ReleaseDto } from '../../protocol/rest/region.js';
import { RequeueBody, RequeueDto } from '../../protocol/rest/sync-requeue.js';
import { OrphanDiscardBody, OrphanRequeueBody, OrphanResultDto } from '../../protocol/rest/sync-orphans.js';
import { OrphanStore } from '../../sync/orphans.js';
import { auditIfWired } from './source-region.js';

/**
 * GET /api/sync: queue state per target and per item (de-identified identifiers only); an image the OCR gate
 * holds shows `state: "held"` and its `reason`. POST /api/sync/items/:id/release lets a technician release
 * a held image as it is (BurnedInAnnotation YES) or with boxes blacked out (read again before it goes).
 * POST /api/sync/requeue puts rejected items (of a target, an exam, or all) back in the queue, attempts reset.
 * A target removed from sync.targets with unsent items shows as `orphaned` (src/sync/orphans.ts); POST
 * /api/sync/orphans/requeue moves them to a configured target, /discard deletes them; both audited.
 */
const sync: FastifyPluginAsync = async (app) => {
  app.get('/api/sync', { config: { access: 'technician' }, schema: { tags: ['sync'], summary: 'Outbox state per target and item', response: { 200: SyncStateDto } } }, async () => {
    const s = app.sono.sync;
    if (!s) return { targets: [], items: [] };
    const counts = s.outbox.counts();
    const countsOf = (name: string) => ({ pending: 0, sent: 0, rejected: 0, checking: 0, held: 0, ...Object.fromEntries(counts.filter((c) => c.target === name).map((c) => [c.state, c.n])) });
    const configured = s.worker.status();
    // a target renamed or removed from sync.targets whose items were never sent: shown, with what to do (src/sync/orphans.ts)
    const orphans = new OrphanStore(app.sono.db).targets(configured.map((t) => t.name));
    return {
      targets: [
        ...configured.map((t) => ({ ...t, counts: countsOf(t.name) })),
        ...orphans.map((o) => ({ name: o.name, state: 'orphaned', lastError: OrphanStore.reason(o), counts: countsOf(o.name) })),
      ],
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
      // a placeholder for pixels the device lost: nothing true to send, masked or not
      if (gate.reason?.code === ErrorCodes.CAPTURE_PIXELS_DAMAGED) {
        throw new SonoError(ErrorCodes.CAPTURE_PIXELS_DAMAGED, `Outgoing item ${req.params.id} stands in for a capture whose stored pixels are damaged; it is never released: ${gate.reason.message}`, {
          details: { id: req.params.id },
        });
      }
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

  /** The removed target named: it must have unsent items and not be configured. */
  const orphanOf = (from: string): void => {
    const configured = app.sono.sync?.worker.status().map((t) => t.name) ?? [];
    if (configured.includes(from))
      throw new SonoError(
        ErrorCodes.REQUEST_INVALID,
        `Sync target ${from} is configured; only a removed target's items are requeued or discarded here (POST /api/sync/requeue sends refused items again)`,
        {
          details: { from },
        },
      );
    if (!new OrphanStore(app.sono.db).targets(configured).some((o) => o.name === from))
      throw new SonoError(ErrorCodes.SYNC_ITEM_NOT_FOUND, `No unsent item of a removed sync target ${from}; GET /api/sync lists them as targets in state orphaned`, { details: { from } });
  };

  app.post<{ Body: OrphanRequeueBody }>(
    '/api/sync/orphans/requeue',
    {
      config: { access: 'technician' },
      schema: {
        tags: ['sync'],
        summary: "Send a removed target's unsent items to a configured target instead (pending, attempts reset, due now); one that target already has is not sent twice",
        body: OrphanRequeueBody,
        response: { 200: OrphanResultDto, ...errorResponses(400, 404, 500) },
      },
    },
    async (req) => {
      const { from, to } = req.body;
      orphanOf(from);
      if (!(app.sono.sync?.worker.status() ?? []).some((t) => t.name === to))
        throw new SonoError(ErrorCodes.REQUEST_INVALID, `No sync target named ${to} in sync.targets; requeue to one GET /api/sync lists as configured`, { details: { to } });
      const r = new OrphanStore(app.sono.db).requeue(from, to);
      auditIfWired(req, 'sync.orphans.requeue', from, { from, to, requeued: r.requeued, alreadyQueued: r.alreadyQueued, exams: r.exams.length });
      app.sono.sync?.worker.poke();
      return r;
    },
  );

  app.post<{ Body: OrphanDiscardBody }>(
    '/api/sync/orphans/discard',
    {
      config: { access: 'technician' },
      schema: {
        tags: ['sync'],
        summary: "Delete a removed target's unsent items (the exams' records stay; only the copies prepared for that target go), audited",
        body: OrphanDiscardBody,
        response: { 200: OrphanResultDto, ...errorResponses(400, 404, 500) },
      },
    },
    async (req) => {
      orphanOf(req.body.from);
      const r = new OrphanStore(app.sono.db).discard(req.body.from);
      auditIfWired(req, 'sync.orphans.discard', req.body.from, { from: req.body.from, discarded: r.discarded, exams: r.exams });
      return r;
    },
  );
};

export default fp(sync, { name: 'sonoedge-sync' });
