/**
 * The frozen frame redrawn (web-ui/src/live/context.ts redraw: a caliper added, a pan) draws only a result of
 * the shown exam type's task. A head result kept on a frame, with the breast exam type shown, was handed to the
 * breast module's drawLive and marked 'fresh' on the canvas; the cine drops such results on a switch
 * (keepResultsOf), redraw no longer relies on that.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { LiveTaskResult, ResultMessage } from '../../src/protocol/index.js';
import { resultOn } from './result-message.js';
import { FrameKind } from '../../src/protocol/index.js';
import { Cine } from '../../web-ui/src/live/cine.js';

/** The part of web-ui/src/live/context.ts LiveContext that redraw and render read, as this test fills it in. */
type LiveContext = object;

/**
 * context.ts, loaded by a path tsc does not follow: its imports have no .js extensions (the page is built by
 * vite, checked by web-ui/tsconfig.json), which the Node typecheck of test/ rejects.
 */
const CONTEXT: string = '../../web-ui/src/live/context.ts';
let redraw: (c: LiveContext) => void;
beforeAll(async () => {
  // the page's string tables read the chosen language at load: no browser here
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
  vi.stubGlobal('navigator', { language: 'en' });
  ({ redraw } = (await import(CONTEXT)) as { redraw: (c: LiveContext) => void });
});

/** A 2D context that accepts every call and draws nothing. */
function nullContext(canvas: { width: number; height: number }): CanvasRenderingContext2D {
  return new Proxy({ canvas } as Record<string | symbol, unknown>, {
    get: (o, k) => (k in o ? o[k] : () => ({ width: 10 })),
    set: () => true,
  }) as unknown as CanvasRenderingContext2D;
}

/** A frozen breast page on frame 7, whose kept result is `r`. */
function frozenBreast(r: ResultMessage): { c: LiveContext; drawn: LiveTaskResult[]; canvas: { width: number; height: number; dataset: Record<string, string> } } {
  const canvas = { width: 64, height: 48, dataset: {} as Record<string, string> };
  const cine = new Cine(4);
  cine.push(7, new ArrayBuffer(4));
  cine.attach(r);
  cine.frozen = true;
  cine.index = 0;
  const drawn: LiveTaskResult[] = [];
  const c = {
    els: { overlay: { checked: true }, opacity: { value: '100' }, state: { dataset: {} } },
    state: { mode: { kind: 'frozen' }, cine, examType: 'breast' },
    view: { canvas, ctx: nullContext(canvas), handleRadius: 24, drawPixels: () => ({ kind: FrameKind.raw, seq: 7 }) },
    examType: () => ({ drawLive: (_ctx: unknown, res: LiveTaskResult) => drawn.push(res) }),
    calipers: { seq: -1 },
  };
  return { c, drawn, canvas };
}

describe('redraw of the frozen frame', () => {
  it("draws nothing of another exam type's result left on the frame", () => {
    const { c, drawn, canvas } = frozenBreast(resultOn(7, { task: 'fetal-head', detected: true }));
    redraw(c);
    expect(drawn).toEqual([]);
    expect(canvas.dataset.overlay).toBe('none');
  });

  it("draws the shown type's own result on its frame", () => {
    const { c, drawn, canvas } = frozenBreast(resultOn(7, { task: 'breast-lesion', lesion: {} }));
    redraw(c);
    expect(drawn.map((r) => r.task)).toEqual(['breast-lesion']);
    expect(canvas.dataset.overlay).toBe('fresh');
  });
});
