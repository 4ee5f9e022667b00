import { ErrorCodes, SonoError } from '../../errors.js';
import type { Manifest } from '../manifest.js';
import { compareVersions } from './version.js';

/**
 * Whether a new version can take the serving one's place: the runtime knows its task, and it keeps the
 * task, the input's name and channels and the outputs' names and ranks the analysis reads (the input's
 * height and width may change: preprocessing follows the manifest).
 */
export function checkCompatible(next: Manifest, serving: Manifest | undefined, knownTasks: readonly string[] | undefined): void {
  const where = `${next.id} ${next.version}`;
  const refuse = (what: string): never => {
    throw new SonoError(ErrorCodes.MODEL_INCOMPATIBLE, `Model package ${where} is not a drop-in replacement: ${what}. Install a package built for this runtime.`, { details: { reason: what } });
  };
  if (knownTasks && !knownTasks.includes(next.task)) refuse(`task "${next.task}" is not one this runtime runs (${knownTasks.join(', ')})`);
  if (!serving) return;
  if (next.task !== serving.task) refuse(`its task is "${next.task}", the serving ${serving.version} does "${serving.task}"`);
  if (next.input.name !== serving.input.name) refuse(`its input is "${next.input.name}", the serving version's "${serving.input.name}"`);
  if (next.input.shape[1] !== serving.input.shape[1]) refuse(`it takes ${next.input.shape[1]} channel(s), the serving version ${serving.input.shape[1]}`);
  for (const o of serving.outputs) {
    const n = next.outputs.find((x) => x.name === o.name);
    if (!n) refuse(`it has no output "${o.name}" (has ${next.outputs.map((x) => x.name).join(', ')})`);
    else if (n.shape.length !== o.shape.length) refuse(`its output "${o.name}" has rank ${n.shape.length}, the serving version's ${o.shape.length}`);
  }
}

/** Refuses a version lower than the serving one unless the technician overrode it (an audited choice). */
export function checkNotOlder(next: Manifest, servingVersion: string | undefined, allowDowngrade: boolean): void {
  if (servingVersion === undefined || allowDowngrade) return;
  if (compareVersions(next.version, servingVersion) < 0) {
    throw new SonoError(
      ErrorCodes.MODEL_VERSION_OLDER,
      `Model package ${next.id} ${next.version} is older than the serving ${servingVersion}; an old package may bring back a withdrawn model. Use rollback for a version installed here before, or override explicitly (--allow-downgrade), which is audited.`,
      { details: { version: next.version, serving: servingVersion } },
    );
  }
}
