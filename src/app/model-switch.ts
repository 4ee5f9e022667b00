import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { InferenceEngine } from '../inference/engine.js';
import type { TaskContextProvider } from '../pipeline/model-runner.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { ModelSwitch } from '../server/runtime.js';

export interface ModelSwitchLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Model updates in a running daemon: the new session is opened and warmed while the old one keeps serving,
 * then the pipeline swaps them between two runs and the old one is released once its last run landed.
 * Swaps run one at a time. `contextOf` gives a task's context provider (the composition root's registry).
 */
export function modelSwitch(pipeline: Pipeline, contextOf: (task: string) => TaskContextProvider | undefined, log: ModelSwitchLog): ModelSwitch {
  let chain: Promise<unknown> = Promise.resolve();
  const replace = async (open: () => Promise<InferenceEngine>): Promise<{ id: string; previousVersion: string; version: string }> => {
    const next = await open();
    let old: InferenceEngine;
    try {
      const running = pipeline.sessions().find((s) => s.id === next.id);
      if (!running) {
        throw new SonoError(
          ErrorCodes.MODEL_REPLACE_FAILED,
          `Model "${next.id}" is not running, so it cannot be replaced; running: ${
            pipeline
              .sessions()
              .map((s) => s.id)
              .join(', ') || 'none'
          }. Add it to "models" in the config and restart`,
        );
      }
      if (running.pkg.manifest.task !== next.pkg.manifest.task) {
        throw new SonoError(
          ErrorCodes.MODEL_REPLACE_FAILED,
          `Model "${next.id}" ${next.version} is a "${next.pkg.manifest.task}" model but the running one is "${running.pkg.manifest.task}"; a replacement must do the same task`,
        );
      }
      old = await pipeline.replaceModel(next, contextOf(next.pkg.manifest.task));
    } catch (err) {
      await next.release().catch(() => {});
      throw err;
    }
    log.info({ model: next.id, from: old.version, to: next.version, provider: next.provider }, `model ${next.id} switched from ${old.version} to ${next.version} without a restart`);
    await old.release().catch((err: unknown) => log.warn({ model: old.id, version: old.version, err: errorMessage(err) }, 'the replaced model session could not be released'));
    return { id: next.id, previousVersion: old.version, version: next.version };
  };
  return {
    replace(open) {
      const run = chain.then(() => replace(open));
      chain = run.catch(() => {});
      return run;
    },
  };
}
