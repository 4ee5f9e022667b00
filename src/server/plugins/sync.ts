import { SyncStateDto } from '../../protocol/rest/index.js';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/** GET /api/sync: queue state per target and per item (de-identified identifiers only). */
const sync: FastifyPluginAsync = async (app) => {
  app.get('/api/sync', { schema: { tags: ['sync'], summary: 'Outbox state per target and item', response: { 200: SyncStateDto } } }, async () => {
    const s = app.sono.sync;
    if (!s) return { targets: [], items: [] };
    const counts = s.outbox.counts();
    return {
      targets: s.worker.status().map((t) => ({
        ...t,
        counts: { pending: 0, sent: 0, rejected: 0, ...Object.fromEntries(counts.filter((c) => c.target === t.name).map((c) => [c.state, c.n])) },
      })),
      items: s.outbox.items(),
    };
  });
};

export default fp(sync, { name: 'sonoedge-sync' });
