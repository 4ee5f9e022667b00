import { type Static, Type as T } from '@sinclair/typebox';

/** POST /api/sync/orphans/requeue and /discard: the unsent items of a target removed from sync.targets (src/sync/orphans.ts). */
export const OrphanRequeueBody = T.Object(
  {
    from: T.String({ minLength: 1, maxLength: 200, description: 'The removed target (as GET /api/sync names it, state orphaned)' }),
    to: T.String({ minLength: 1, maxLength: 200, description: 'A target configured in sync.targets' }),
  },
  { additionalProperties: false },
);
export type OrphanRequeueBody = Static<typeof OrphanRequeueBody>;
export const OrphanDiscardBody = T.Object({ from: T.String({ minLength: 1, maxLength: 200, description: 'The removed target' }) }, { additionalProperties: false });
export type OrphanDiscardBody = Static<typeof OrphanDiscardBody>;
export const OrphanResultDto = T.Object({
  /** items now queued for `to` (requeue) */
  requeued: T.Integer({ minimum: 0 }),
  /** items `to` already had, dropped from the removed target (requeue) */
  alreadyQueued: T.Integer({ minimum: 0 }),
  /** items deleted (discard) */
  discarded: T.Integer({ minimum: 0 }),
  /** the exams they belong to */
  exams: T.Array(T.String()),
});
export type OrphanResultDto = Static<typeof OrphanResultDto>;
