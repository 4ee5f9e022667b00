/** POST /api/sync/requeue: rejected outgoing instances put back in the queue by a technician. */
import { type Static, Type as T } from '@sinclair/typebox';

export const RequeueBody = T.Object(
  {
    target: T.Optional(T.String({ minLength: 1, maxLength: 200, description: 'Only this sync target (its name in sync.targets); absent: every target' })),
    examId: T.Optional(T.String({ minLength: 1, maxLength: 200, description: 'Only this exam; absent: every exam' })),
  },
  { additionalProperties: false },
);
export type RequeueBody = Static<typeof RequeueBody>;

export const RequeueDto = T.Object({
  /** How many rejected items are pending again (attempts reset, due now). */
  requeued: T.Integer({ minimum: 0 }),
});
export type RequeueDto = Static<typeof RequeueDto>;
