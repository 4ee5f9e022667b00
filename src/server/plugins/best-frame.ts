import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { BestFrameSelector } from '../../analysis/best-frame.js';
import { ErrorCodes, SonoError } from '../../errors.js';
import { BestFrameDto, errorResponses } from '../../protocol/rest/index.js';
import type { ResultEvent } from '../../pipeline/bus.js';

/**
 * GET /api/live/best: the best fetal-head proposal of the current sweep (auto-capture), so the clinician
 * is offered one good frame instead of a flicker. 404 while no proposal is good enough.
 */
const bestFrame: FastifyPluginAsync = async (app) => {
  const selector = new BestFrameSelector<ResultEvent>();
  // The proposal is always of the current source: a switch or restart (a new source object) forgets it, even
  // before the new source's first result, whose number may lie above or below the old proposal's.
  let of = app.sono.pipeline?.source;
  const sameSource = (): void => {
    const now = app.sono.pipeline?.source;
    if (now === of) return;
    of = now;
    selector.reset();
  };
  const off = app.sono.bus.on('result', (e) => {
    sameSource();
    if (e.result.task !== 'fetal-head' || !e.result.detected) return;
    selector.offer({ seq: e.seq, quality: e.result.quality.score, flagged: e.result.flags.some((f) => f.severity !== 'info'), value: e });
  });
  app.addHook('onClose', async () => off());
  app.get(
    '/api/live/best',
    {
      config: { access: 'clinician' },
      schema: {
        tags: ['live'],
        summary: 'Best fetal-head proposal of the current sweep (auto-capture)',
        response: { 200: BestFrameDto, ...errorResponses(404) },
      },
    },
    async () => {
      sameSource();
      const b = selector.best();
      if (!b) throw new SonoError(ErrorCodes.NO_PROPOSAL, 'No proposal of sufficient quality in this sweep yet; keep scanning the head');
      return { seq: b.seq, quality: b.quality, event: b.value };
    },
  );
};

export default fp(bestFrame, { name: 'sonoedge-best-frame' });
