/**
 * Version order: SemVer 2.0.0 precedence (semver.org §11), then what each caller does with it on real packages
 * and a real store: the downgrade refusal, the newest-first list, and rollback (which walks its trail, not the order).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { supportedTasks } from '../../../src/analysis/tasks.js';
import { isModelVersion } from '../../../src/models/manifest.js';
import { rollbackModel } from '../../../src/models/updates/activation.js';
import { type InstallOptions, installPackage } from '../../../src/models/updates/installer.js';
import { STATEMENT_FILE } from '../../../src/models/updates/statement.js';
import { compareVersions } from '../../../src/models/updates/version.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Signer, UPDATES, makeSigner, openCpu, signedPackage, storeIn, trustOf } from './fixtures.js';

/** Each row: lower, higher (strictly). */
const ASCENDING: Array<[string, string, string]> = [
  ['1.3.0-rc.9', '1.3.0-rc.10', 'numeric identifiers numerically, not as text'],
  ['1.3.0-rc.2', '1.3.0-rc.11', 'numeric identifiers numerically (one digit against two)'],
  ['1.0.0-2', '1.0.0-10', 'a lone numeric identifier numerically'],
  ['1.0.0-99', '1.0.0-a', 'numeric below alphanumeric'],
  ['1.0.0-rc.1', '1.0.0-rc.beta', 'numeric below alphanumeric, later in the list'],
  ['1.0.0-alpha', '1.0.0-alpha.1', 'fewer fields lower when the shorter starts the longer'],
  ['1.0.0-alpha.beta.1', '1.0.0-alpha.beta.1.0', 'fewer fields lower (four against five)'],
  ['1.0.0-Alpha', '1.0.0-alpha', 'alphanumeric identifiers in ASCII order (upper case first)'],
  ['1.0.0-alpha-2', '1.0.0-alpha2', "'-' before digits in ASCII"],
  ['1.0.0-rc.1', '1.0.0', 'a pre-release below its release'],
  ['1.0.0', '1.0.1-alpha', 'a later patch pre-release above the release before'],
  ['1.9.0', '1.10.0', 'core fields numerically'],
  ['9.0.0', '10.0.0', 'major numerically'],
  ['9007199254740992.0.0', '9007199254740993.0.0', 'numbers past 2^53 exactly'],
  ['1.0.0-9007199254740992', '1.0.0-9007199254740993', 'pre-release numbers past 2^53 exactly'],
];
/** semver.org §11's own example, in order. */
const SPEC_CHAIN = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
/** Each row: equal in precedence. */
const EQUAL: Array<[string, string, string]> = [
  ['1.0.0+build.1', '1.0.0+build.2', 'build metadata ignored'],
  ['1.0.0-rc.1+a', '1.0.0-rc.1', 'build metadata ignored on a pre-release'],
  ['1.0.0-rc.01', '1.0.0-rc.1', 'a leading zero (accepted by the manifest pattern) does not change the number'],
  ['1.3.0-rc.10', '1.3.0-rc.10', 'the same'],
];

describe('compareVersions: SemVer 2.0.0 precedence', () => {
  it.each(ASCENDING)('%s < %s (%s)', (lower, higher) => {
    expect(isModelVersion(lower) && isModelVersion(higher)).toBe(true);
    expect(compareVersions(lower, higher)).toBe(-1);
    expect(compareVersions(higher, lower)).toBe(1);
  });

  it.each(EQUAL)('%s = %s (%s)', (a, b) => {
    expect(compareVersions(a, b)).toBe(0);
    expect(compareVersions(b, a)).toBe(0);
  });

  it("sorts the spec's example chain, shuffled, back into its order", () => {
    const shuffled = [...SPEC_CHAIN].reverse().sort((a, b) => (a.length % 3) - (b.length % 3));
    expect(shuffled.sort(compareVersions)).toEqual(SPEC_CHAIN);
  });
});

describe('the callers, on real packages and a real store', () => {
  const root = tempDir('sonoedge-version-order-');
  const store = storeIn(root);
  let signer: Signer;
  const options = (extra: Partial<InstallOptions> = {}): InstallOptions => ({
    store, trust: trustOf(signer), updates: UPDATES, open: openCpu, knownTasks: supportedTasks(), by: 'tech-anna', ...extra,
  });

  beforeAll(() => {
    signer = makeSigner(join(root, 'keys'));
  });

  it('rc.10 installs over rc.9; an older rc is then refused unless overridden; rollback goes back along the trail', async () => {
    const rc9 = await signedPackage(root, signer, '1.3.0-rc.9');
    const rc10 = await signedPackage(root, signer, '1.3.0-rc.10');
    expect((await installPackage(rc9, options())).ok).toBe(true);
    const up = await installPackage(rc10, options());
    expect(up.failed).toBeUndefined();
    expect(up).toMatchObject({ ok: true, activated: true, version: '1.3.0-rc.10' });
    expect(store.resolveActive('fetal-head').version).toBe('1.3.0-rc.10');

    const older = await signedPackage(root, signer, '1.3.0-rc.2');
    const down = await installPackage(older, options());
    expect(down.failed).toMatchObject({ code: ErrorCodes.MODEL_VERSION_OLDER, step: 'compatibility' });
    expect(down.failed!.message).toMatch(/1\.3\.0-rc\.2 is older than the serving 1\.3\.0-rc\.10/);
    expect((await installPackage(older, options({ activate: false, allowDowngrade: true }))).ok).toBe(true);

    expect(store.installedVersions('fetal-head')).toEqual(['1.3.0-rc.10', '1.3.0-rc.9', '1.3.0-rc.2']);
    expect(await rollbackModel(store, 'fetal-head', { by: 'tech-anna', reason: 'test' })).toMatchObject({ from: '1.3.0-rc.10', to: '1.3.0-rc.9' });
  }, 60_000);

  it('lists installed versions newest first in SemVer order', () => {
    const id = 'order-check';
    const versions = ['1.0.0', '1.0.0-rc.10', '1.0.0-rc.9', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-alpha', '1.0.0-alpha.1', '0.10.0', '0.9.0'];
    for (const v of [...versions].sort()) {
      mkdirSync(join(store.modelDir(id), v), { recursive: true });
      writeFileSync(join(store.modelDir(id), v, STATEMENT_FILE), '{}');
    }
    expect(store.installedVersions(id)).toEqual(['1.0.0', '1.0.0-rc.10', '1.0.0-rc.9', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-alpha.1', '1.0.0-alpha', '0.10.0', '0.9.0']);
  });
});
