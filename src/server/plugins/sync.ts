import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

const Target = T.Object({
  name: T.String(), state: T.String(), lastError: T.Optional(T.String()), lastSuccessAt: T.Optional(T.String()),
  counts: T.Object({ pending: T.Number(), sent: T.Number(), rejected: T.Number() }),
});
const Item = T.Object({
  id: T.Number(), target: T.String(), examId: T.String(), sopInstanceUid: T.String(), sopClassUid: T.String(), state: T.String(),
  attempts: T.Number(), nextAttemptAt: T.Number(), lastError: T.Union([T.String(), T.Null()]), sentAt: T.Union([T.String(), T.Null()]),
});

/** GET /api/sync: queue state per target and per item (de-identified identifiers only). */
const sync: FastifyPluginAsync = async (app) => {
  app.get('/api/sync', { schema: { tags: ['sync'], summary: 'Outbox state per target and item', response: { 200: T.Object({ targets: T.Array(Target), items: T.Array(Item) }) } } }, async () => {
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
