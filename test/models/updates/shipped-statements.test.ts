import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trustStoreOf } from '../../../src/models/updates/keys.js';
import { packModelDir } from '../../../src/models/updates/pack.js';
import { parseStatement } from '../../../src/models/updates/statement.js';
import { runTestVectors } from '../../../src/models/updates/test-vectors.js';
import { verifyPackage } from '../../../src/models/updates/verify.js';
import { readModelPackage } from '../../../src/models/package.js';
import { SHIPPED, openCpu } from './fixtures.js';

/**
 * The shipped models go through the same path as field updates: their folders pack into packages the
 * built-in release key signed (models/<id>/statement.json), and their test vectors pass on this machine.
 * After changing a model folder, re-sign with scripts/sign-shipped-models.sh (needs the release key).
 */
describe.each(['fetal-head', 'breast-lesion', 'enhance'])('shipped model %s', (id) => {
  it('packs into a package signed by the release key that verifies with no configured keys, and its test vectors pass on the CPU', async () => {
    const dir = join(SHIPPED, id);
    const packed = await packModelDir(dir);
    expect(packed.signed, `${id}/statement.json does not cover the folder's files: run scripts/sign-shipped-models.sh`).toBe(true);
    const v = await verifyPackage(packed.bytes, { trust: trustStoreOf({ trustedKeys: [], revokedKeys: [] }, dir), maxPackageBytes: 64 * 1024 * 1024 });
    expect(v.signer.name).toBe('sonoedge release key');
    expect(Date.parse(parseStatement(readFileSync(join(dir, 'statement.json'))).payload.expires!)).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    const engine = await openCpu(readModelPackage(dir));
    try {
      const results = await runTestVectors(v.files, v.manifest, engine);
      expect(results.length).toBeGreaterThanOrEqual(2);
      expect(results.every((r) => r.ok)).toBe(true);
    } finally {
      await engine.release();
    }
  }, 60_000);
});
