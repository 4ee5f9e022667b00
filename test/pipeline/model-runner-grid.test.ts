import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EnhanceAnalyzer } from '../../src/analysis/enhance.js';
import type { ModelGrid } from '../../src/analysis/grid.js';
import type { Frame } from '../../src/capture/frame.js';
import type { InferenceEngine } from '../../src/inference/engine.js';
import { Preprocessor, modelToFrame } from '../../src/inference/preprocess.js';
import { findModelPackage } from '../../src/models/package.js';
import { ModelRunner, type Slot } from '../../src/pipeline/model-runner.js';
import { packageRoot } from '../../src/util/package-root.js';

/** The enhance package's manifest behind an engine that is never run (analyze is fed outputs by hand). */
function engine(): InferenceEngine {
  const pkg = findModelPackage(join(packageRoot(), 'models'), 'enhance');
  const n = 480 * 640;
  return {
    pkg,
    provider: 'cpu',
    file: pkg.manifest.files[0]!,
    attempts: [],
    id: 'enhance',
    version: pkg.manifest.version,
    inputData: [new Float32Array(n), new Float32Array(n)],
    runMs: [0, 0],
    run: () => Promise.reject(new Error('Not run in this test')),
    release: async () => {},
  };
}

function frame(seq: number, width: number, height: number): Frame {
  const region = { x: 8, y: 6, width: width - 16, height: height - 12 };
  return { seq, timestampMs: 0, width, height, channels: 1, data: new Uint8Array(width * height).fill(90), pixelSpacing: undefined, sourceId: 'grid', region };
}

afterEach(() => vi.restoreAllMocks());

describe('ModelRunner grid', () => {
  it('hands the analyzer one grid per slot and geometry, whose toFrame fills one tuple, always of the frame prepared', () => {
    const grids: ModelGrid[] = [];
    vi.spyOn(EnhanceAnalyzer.prototype, 'analyze').mockImplementation((_out, grid) => {
      grids.push(grid);
      return { task: 'enhance' } as unknown as ReturnType<EnhanceAnalyzer['analyze']>;
    });
    const eng = engine();
    const runner = new ModelRunner(eng);
    const outputs = { enhanced: { data: new Float32Array(480 * 640), dims: [1, 1, 480, 640] } };
    const pre = new Preprocessor(eng.pkg.manifest.input);
    // Geometry changes between frames and between the two slots; some frames repeat the one before.
    const seen: Array<{ slot: Slot; f: Frame }> = [];
    const sizes: Array<[number, number]> = [
      [640, 480],
      [640, 480],
      [800, 600],
      [800, 600],
      [300, 500],
      [640, 480],
    ];
    for (const [i, [w, h]] of sizes.entries()) {
      const slot = (i % 2) as Slot;
      const f = frame(i, w, h);
      runner.prepare(f, slot);
      runner.analyze(outputs, slot);
      seen.push({ slot, f });
    }
    for (const [i, grid] of grids.entries()) {
      const { f } = seen[i]!;
      const m = pre.run(f, new Float32Array(480 * 640)); // the mapping a from-scratch preprocess gives this frame
      const a = grid.toFrame(0, 0);
      expect(grid.toFrame(1, 1), `frame ${i}: toFrame made a tuple per call`).toBe(a);
      for (const [x, y] of [
        [0, 0],
        [1, 1],
        [123, 45],
      ] as const)
        expect([...grid.toFrame(x, y)], `frame ${i} (${f.width}×${f.height}) at ${x},${y}`).toEqual(modelToFrame(m, x, y));
      expect(grid.content).toEqual({ x: m.offsetX, y: m.offsetY, width: Math.round(f.region.width * m.scaleX), height: Math.round(f.region.height * m.scaleY) });
    }
    // A new size on a slot makes a new grid (frame 4 after frame 2 on slot 0); the same size again keeps it.
    expect(grids[4]).not.toBe(grids[2]);
    runner.prepare(frame(6, 300, 500), 0);
    runner.analyze(outputs, 0);
    expect(grids[6], 'the same geometry on the same slot kept its grid').toBe(grids[4]);
  });
});
