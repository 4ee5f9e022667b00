import type { LiveTaskResult, ResultMessage } from '../../src/protocol/index.js';

/** A result message on frame `seq`, with only the fields the page's cine and redraw read filled in. */
export function resultOn(seq: number, result: Record<string, unknown>): ResultMessage {
  return {
    type: 'result',
    seq,
    sourceId: 's',
    frameTimestampMs: seq,
    modelId: String(result.task),
    modelVersion: '1',
    provider: 'cpu',
    timings: {} as ResultMessage['timings'],
    result: { flags: [], ...result } as unknown as LiveTaskResult,
  };
}
