import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import type { ModelPackage } from '../package.js';

/**
 * Opens every ONNX file of a package on the CPU, unoptimised (only to read its graph), and checks that the
 * graph's input and outputs are the ones the manifest declares: a package whose manifest says 256 rows
 * while its network takes 224 is refused here with both shapes, not by a failed run on a patient's frame.
 */
export async function checkGraphs(pkg: ModelPackage): Promise<void> {
  const m = pkg.manifest;
  for (const f of m.files) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(await readFile(join(pkg.dir, f.path)), { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
    } catch (err) {
      throw new SonoError(ErrorCodes.MODEL_LOAD_FAILED, `Model ${m.id} ${m.version}: ${f.path} is not a loadable ONNX model (${errorMessage(err).split('\n')[0]}); the package is broken. Ask its maker for a working build.`, { cause: err });
    }
    try {
      const mismatch = (what: string, declared: unknown, graph: unknown): SonoError =>
        new SonoError(ErrorCodes.MODEL_GRAPH_MISMATCH, `Model ${m.id} ${m.version}: ${f.path}'s ${what} is ${JSON.stringify(graph)} but the manifest declares ${JSON.stringify(declared)}; fix the manifest or the export and pack again.`, { details: { file: f.path, what } });
      const input = session.inputMetadata.find((x) => x.name === m.input.name);
      if (!input) throw mismatch('input names', [m.input.name], session.inputNames);
      if (input.isTensor && !sameShape(input.shape, m.input.shape)) throw mismatch(`input "${m.input.name}" shape`, m.input.shape, input.shape);
      for (const o of m.outputs) {
        const out = session.outputMetadata.find((x) => x.name === o.name);
        if (!out) throw mismatch('output names', m.outputs.map((x) => x.name), session.outputNames);
        if (out.isTensor && !sameShape(out.shape, o.shape)) throw mismatch(`output "${o.name}" shape`, o.shape, out.shape);
      }
    } finally {
      await session.release();
    }
  }
}

/** Symbolic dimensions (strings) in the graph match anything; fixed ones must be equal. */
function sameShape(graph: ReadonlyArray<number | string>, declared: readonly number[]): boolean {
  return graph.length === declared.length && graph.every((d, i) => typeof d === 'string' || d < 0 || d === declared[i]);
}
