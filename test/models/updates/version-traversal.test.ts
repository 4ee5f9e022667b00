import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SonoError } from '../../../src/errors.js';
import { supportedTasks } from '../../../src/analysis/tasks.js';
import { isModelId, isModelVersion } from '../../../src/models/manifest.js';
import { readArchive, writeArchive } from '../../../src/models/updates/archive.js';
import { type InstallOptions, installPackage } from '../../../src/models/updates/installer.js';
import { readPrivateKey } from '../../../src/models/updates/keys.js';
import { STATEMENT_FILE, parseStatement, sha256Hex, signStatement } from '../../../src/models/updates/statement.js';
import { directChild } from '../../../src/models/updates/store-paths.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Signer, UPDATES, makeSigner, openCpu, signedPackage, storeIn, trustOf } from './fixtures.js';

/**
 * A package's version names a folder (`<dataDir>/models/<id>/<version>/`). A package signed by a trusted key
 * with version "9.9.9-x/../../.." passed every check, and putting it in place removed `<dataDir>` (the
 * records database and its key). It is refused now, by the schema, and the store's paths refuse it again.
 */
describe('a package version or id that would name a folder elsewhere', () => {
  const root = tempDir('sonoedge-traversal-');
  const store = storeIn(root); // models under <root>/data/models
  const dataDir = join(root, 'data');
  let signer: Signer;
  const options = (): InstallOptions => ({ store, trust: trustOf(signer), updates: UPDATES, open: openCpu, knownTasks: supportedTasks(), by: 'tech-anna' });

  /** A package of the good one's files, its manifest's and its statement's versions changed, signed again by `signer` (a trusted key). */
  async function resigned(good: Buffer, versions: { manifest: string; statement: string }): Promise<Buffer> {
    const files = await readArchive(good, { maxUnpackedBytes: 1e9 });
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    manifest.version = versions.manifest;
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
    files.set('manifest.json', manifestBytes);
    const { payload } = parseStatement(files.get(STATEMENT_FILE)!);
    payload.version = versions.statement;
    payload.files['manifest.json'] = sha256Hex(manifestBytes);
    files.set(STATEMENT_FILE, signStatement(payload, readPrivateKey(signer.keyPath)));
    return writeArchive(files);
  }

  /** Everything under `dir`, as relative paths with their contents' SHA-256 (folders end with '/'). */
  function tree(dir: string, rel = ''): string[] {
    return readdirSync(join(dir, rel), { withFileTypes: true })
      .flatMap((e) => {
        const path = rel ? `${rel}/${e.name}` : e.name;
        return e.isDirectory() ? [`${path}/`, ...tree(dir, path)] : [`${path} ${sha256Hex(readFileSync(join(dir, path)))}`];
      })
      .sort();
  }

  beforeAll(async () => {
    signer = makeSigner(join(root, 'keys'));
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    writeFileSync(join(dataDir, 'records.db'), 'patient records (sentinel)');
    writeFileSync(join(dataDir, 'keys', 'records.key'), 'records key (sentinel)');
    writeFileSync(join(dataDir, 'sentinel'), 'next to the models folder');
    const r = await installPackage(await signedPackage(root, signer, '1.1.0'), options());
    expect(r.failed).toBeUndefined();
  }, 60_000);

  it.each([
    ['the statement and the manifest', { manifest: '9.9.9-x/../../..', statement: '9.9.9-x/../../..' }, 'signature', "statement.json field \"version\""],
    ['the statement and the manifest, after "+"', { manifest: '9.9.9+x/../../..', statement: '9.9.9+x/../../..' }, 'signature', "statement.json field \"version\""],
    ['the manifest only (the statement names a plain version)', { manifest: '9.9.9-x/../../..', statement: '9.9.9' }, 'manifest', "manifest.json field \"version\""],
  ])('a package signed by a trusted key whose version climbs out of the models folder in %s is refused with SONO_MODEL_VERSION_INVALID; nothing outside the models folder is touched and 1.1.0 still serves', async (_what, versions, step, names) => {
    const outside = tree(dataDir).filter((p) => !p.startsWith('models/') && p !== 'models/');
    const r = await installPackage(await resigned(await signedPackage(root, signer, '1.1.0'), versions), options());
    expect(r.ok).toBe(false);
    expect(r.failed).toMatchObject({ code: ErrorCodes.MODEL_VERSION_INVALID, step });
    expect(r.failed!.message).toContain(names);
    expect(r.failed!.message).toContain('not a semantic version');
    // the data folder's other contents (records, keys, the sentinel) are exactly as they were
    expect(existsSync(join(dataDir, 'sentinel'))).toBe(true);
    expect(tree(dataDir).filter((p) => !p.startsWith('models/') && p !== 'models/')).toEqual(outside);
    expect(readFileSync(join(dataDir, 'records.db'), 'utf8')).toBe('patient records (sentinel)');
    // the serving model is unchanged, nothing of the package was installed or left in staging
    const active = store.resolveActive('fetal-head');
    expect([active.source, active.version]).toEqual(['installed', '1.1.0']);
    expect(store.installedVersions('fetal-head')).toEqual(['1.1.0']);
    expect(readdirSync(join(store.root, 'fetal-head')).sort()).toEqual(['1.1.0', 'active', 'health.json', 'history.jsonl']);
    expect(existsSync(join(store.root, '.staging')) ? readdirSync(join(store.root, '.staging')) : []).toEqual([]);
  }, 60_000);

  it('versions and ids: semantic versions pass, anything that could be a path does not', () => {
    for (const v of ['1.0.0', '9.9.9-update', '1.2.3-rc.1', '1.2.3-rc.1+build.5', '1.2.3+20261207', '10.20.30-alpha-beta']) expect([v, isModelVersion(v)]).toEqual([v, true]);
    for (const v of ['9.9.9-x/../../..', '9.9.9+x/../../..', '1.0.0-..', '1.0.0-a..b', '1.0.0-x\\..\\..', '1.0.0-', '1.0.0+', '1.0.0-.a', '1.0.0-a.', '..', '1.0', '1.0.0 ', '1.0.0-\u0000', `1.0.0-${'a'.repeat(64)}`]) {
      expect([v, isModelVersion(v)]).toEqual([v, false]);
    }
    for (const id of ['fetal-head', 'a', 'breast-lesion2']) expect([id, isModelId(id)]).toEqual([id, true]);
    for (const id of ['..', '.', 'a/b', 'Fetal', '-a', 'a.b', '', 'a\\b']) expect([id, isModelId(id)]).toEqual([id, false]);
  });

  it('the store refuses to name a folder from a version or id that is not a plain one (SONO_MODEL_VERSION_INVALID / SONO_MODEL_ID_INVALID)', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (err) {
        return err instanceof SonoError ? err.code : String(err);
      }
    };
    expect(code(() => store.versionDir('fetal-head', '9.9.9-x/../../..'))).toBe(ErrorCodes.MODEL_VERSION_INVALID);
    expect(code(() => store.versionDir('fetal-head', '..'))).toBe(ErrorCodes.MODEL_VERSION_INVALID);
    expect(code(() => store.modelDir('..'))).toBe(ErrorCodes.MODEL_ID_INVALID);
    expect(code(() => store.modelDir('../data'))).toBe(ErrorCodes.MODEL_ID_INVALID);
    expect(code(() => store.versionDir('..', '1.0.0'))).toBe(ErrorCodes.MODEL_ID_INVALID);
    expect(store.versionDir('fetal-head', '1.2.3-rc.1')).toBe(join(store.root, 'fetal-head', '1.2.3-rc.1'));
    // putting a staged folder in place under such a version removes and moves nothing
    const staging = store.newStaging();
    try {
      expect(code(() => store.commitStaged(staging, 'fetal-head', '9.9.9-x/../../..'))).toBe(ErrorCodes.MODEL_VERSION_INVALID);
      expect(existsSync(staging)).toBe(true);
      expect(readFileSync(join(dataDir, 'sentinel'), 'utf8')).toBe('next to the models folder');
      // nor a folder given as staging that is not one of `.staging/`
      expect(code(() => store.commitStaged(join(dataDir, 'keys'), 'fetal-head', '9.9.10'))).toBe(ErrorCodes.MODEL_ACTIVATE_FAILED);
      expect(existsSync(join(dataDir, 'keys', 'records.key'))).toBe(true);
      expect(existsSync(store.versionDir('fetal-head', '9.9.10'))).toBe(false);
    } finally {
      store.dropStaging(staging);
    }
  });

  it('the direct-child check on its own: only a name that resolves to a folder directly inside the parent passes', () => {
    const parent = join(root, 'data', 'models', 'fetal-head');
    expect(directChild(parent, '1.0.0', ErrorCodes.MODEL_VERSION_INVALID, 'version')).toBe(join(parent, '1.0.0'));
    expect(directChild(parent, '1.0.0-x..y', ErrorCodes.MODEL_VERSION_INVALID, 'version')).toBe(join(parent, '1.0.0-x..y')); // odd but inside
    for (const name of ['', '.', '..', '../x', 'x/..', 'x/../..', '9.9.9-x/../../..', 'a/b', 'a\\b', '/etc', 'a\u0000b']) {
      let caught: unknown;
      try {
        directChild(parent, name, ErrorCodes.MODEL_VERSION_INVALID, 'version');
      } catch (err) {
        caught = err;
      }
      expect([name, caught instanceof SonoError && caught.code]).toEqual([name, ErrorCodes.MODEL_VERSION_INVALID]);
      expect((caught as SonoError).message).toContain('would not be a folder directly in');
    }
  });
});
