import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';

interface Component { type: string; name: string; version?: string; hashes?: Array<{ alg: string; content: string }>; components?: Component[]; properties?: Array<{ name: string; value: string }> }

describe('npm run sbom', () => {
  it('writes a CycloneDX SBOM of the npm packages and of each shipped model with every file\'s SHA-256', () => {
    const out = join(tempDir('sonoedge-sbom-'), 'sbom.cdx.json');
    const r = spawnSync('npm', ['run', '--silent', 'sbom', '--', '--out', out], { cwd: packageRoot(), encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const bom = JSON.parse(readFileSync(out, 'utf8')) as { bomFormat: string; specVersion: string; metadata: { component: { name: string } }; components: Component[] };
    expect([bom.bomFormat, bom.specVersion, bom.metadata.component.name]).toEqual(['CycloneDX', '1.5', 'sonoedge']);
    expect(bom.components.find((c) => c.name === 'onnxruntime-node')).toMatchObject({ type: 'library' });
    const models = bom.components.filter((c) => c.type === 'machine-learning-model');
    for (const id of ['fetal-head', 'breast-lesion', 'enhance']) {
      const m = models.find((c) => c.name === id)!;
      const manifest = JSON.parse(readFileSync(join(packageRoot(), 'models', id, 'manifest.json'), 'utf8')) as { version: string; files: Array<{ path: string; sha256: string }> };
      expect(m.version).toBe(manifest.version);
      const files = new Map(m.components!.map((f) => [f.name, f.hashes![0]!.content]));
      for (const f of manifest.files) expect(files.get(f.path)).toBe(f.sha256);
      expect([...files.keys()]).toEqual(expect.arrayContaining(['manifest.json', 'MODEL_CARD.md', 'statement.json', 'test-vectors/vectors.json']));
      expect(m.properties).toContainEqual({ name: 'sonoedge:statement:releaseKey', value: 'true' });
    }
  }, 120_000);
});
