import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { supportedTasks } from '../../../src/analysis/tasks.js';
import { type InstallOptions, installPackage } from '../../../src/models/updates/installer.js';
import { tempDir } from '../../helpers/tmp.js';
import { type RawManifest, type Signer, UPDATES, makeSigner, openCpu, signedPackage, storeIn, trustOf } from './fixtures.js';
import { makeBrightIdentityModel, makeNanModel } from '../daemon/identity-model.js';

/** Sets every vector's tolerance in a model folder (what a package's own vectors.json may claim). */
const tolerance =
  (t: { atol: number; maxFractionOver: number; maxMeanAbs: number }, edit: (dir: string, m: RawManifest) => void = () => {}) =>
  (dir: string, m: RawManifest): void => {
    edit(dir, m);
    const path = join(dir, 'test-vectors', 'vectors.json');
    const v = JSON.parse(readFileSync(path, 'utf8'));
    for (const vector of v.vectors) for (const out of Object.values(vector.outputs) as Array<{ tolerance: unknown }>) out.tolerance = t;
    writeFileSync(path, JSON.stringify(v, null, 2));
  };

describe('the test-vector step cannot be made vacuous by the package (real packages, real onnxruntime)', () => {
  const root = tempDir('sonoedge-vectors-sanity-');
  const store = storeIn(root);
  let signer: Signer;
  const options = (): InstallOptions => ({ store, trust: trustOf(signer), updates: UPDATES, open: openCpu, knownTasks: supportedTasks(), by: 'tech-anna' });
  const refusedAt = async (pkg: Buffer, code: string): Promise<string> => {
    const r = await installPackage(pkg, options());
    expect(r.ok, JSON.stringify(r.steps)).toBe(false);
    expect(r.failed).toMatchObject({ code, step: 'test-vectors' });
    expect(store.readPointer('fetal-head')).toBeUndefined(); // the bundled package still serves
    return r.failed!.message;
  };

  beforeAll(() => {
    signer = makeSigner(join(root, 'keys'));
  });

  it('an all-NaN model with tolerances that admit anything (the technician review package) is refused: the tolerance is too loose', async () => {
    const pkg = await signedPackage(root, signer, '1.0.1', { edit: tolerance({ atol: 1, maxFractionOver: 1, maxMeanAbs: 1e12 }, makeNanModel) });
    expect(await refusedAt(pkg, ErrorCodes.MODEL_TEST_VECTORS_INVALID)).toMatch(/output "prob" declares a tolerance too loose to prove anything: maxFractionOver 1 \(at most 0\.1/);
  }, 60_000);

  it('each bound is named: atol over a quarter of the output range, mean |Δ| over a tenth', async () => {
    const atol = await signedPackage(root, signer, '1.0.2', { edit: tolerance({ atol: 0.3, maxFractionOver: 0.02, maxMeanAbs: 0.005 }) });
    expect(await refusedAt(atol, ErrorCodes.MODEL_TEST_VECTORS_INVALID)).toMatch(/atol 0\.3 \(at most 0\.25 of the output's range 1\.00/);
    const mean = await signedPackage(root, signer, '1.0.3', { edit: tolerance({ atol: 0.02, maxFractionOver: 0.02, maxMeanAbs: 0.2 }) });
    expect(await refusedAt(mean, ErrorCodes.MODEL_TEST_VECTORS_INVALID)).toMatch(/maxMeanAbs 0\.2 \(at most 0\.1 of the output's range/);
  }, 60_000);

  it('NaN outputs fail the step whatever the tolerance, naming the vector and output', async () => {
    const pkg = await signedPackage(root, signer, '1.0.4', { edit: tolerance({ atol: 0.2, maxFractionOver: 0.1, maxMeanAbs: 0.05 }, makeNanModel) });
    expect(await refusedAt(pkg, ErrorCodes.MODEL_TEST_VECTORS_FAILED)).toMatch(/gave 71680 non-finite values \(NaN or ±Infinity\) of 71680 for "prob" on test vector "sim-default" \(first at index 0: NaN\)/);
  }, 60_000);

  it('"probabilities" over 1 fail the step even when the expected outputs (made from the same model) match them', async () => {
    const pkg = await signedPackage(root, signer, '1.0.5', { edit: makeBrightIdentityModel });
    expect(await refusedAt(pkg, ErrorCodes.MODEL_TEST_VECTORS_FAILED)).toMatch(/gave \d+ probabilities outside \[0, 1\] of 71680 for "prob" on test vector "sim-default"/);
  }, 60_000);

  it('the shipped package with its own tolerances still passes', async () => {
    const r = await installPackage(await signedPackage(root, signer, '1.1.0'), options());
    expect(r.ok, JSON.stringify(r.steps)).toBe(true);
    expect(r.testVectors!.every((v) => v.ok && Number.isFinite(v.maxAbs))).toBe(true);
  }, 60_000);
});
