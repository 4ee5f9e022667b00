import { type Static, Type as T } from '@sinclair/typebox';
import { FetalHeadResultDto } from './results.js';

/** GET /api/live/best: the best fetal-head proposal of the current sweep, with the result it came from. */
export const BestFrameDto = T.Object({
  seq: T.Number(),
  quality: T.Number(),
  event: T.Object({
    type: T.Literal('result'),
    seq: T.Number(),
    sourceId: T.String(),
    frameTimestampMs: T.Number(),
    modelId: T.String(),
    modelVersion: T.String(),
    provider: T.String(),
    timings: T.Object({ queueMs: T.Number(), preprocessMs: T.Number(), handoffMs: T.Number(), inferenceMs: T.Number(), analysisMs: T.Number(), totalMs: T.Number() }),
    result: FetalHeadResultDto,
  }),
});
export type BestFrameDto = Static<typeof BestFrameDto>;
