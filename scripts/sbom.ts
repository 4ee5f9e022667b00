/**
 * `npm run sbom [-- --out FILE]`: a CycloneDX 1.5 SBOM of what a device runs. npm's own `npm sbom`
 * (offline: it reads package-lock.json and node_modules) lists the npm packages; each shipped model is
 * added as a `machine-learning-model` component with its version, the release statement that signs it, and
 * one `file` component per file with its SHA-256 (the same digests the signed statement lists).
 * Default output: dist/sbom.cdx.json. The release steps (README) sign this file like a package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readModelPackage } from '../src/models/package.js';
import { keyId, parseStatement, sha256Hex } from '../src/models/updates/statement.js';
import { RELEASE_PUBLIC_KEY } from '../src/models/updates/release-key.js';
import { createPublicKey } from 'node:crypto';
import { packageRoot } from '../src/util/package-root.js';

interface Component {
  'bom-ref': string;
  type: string;
  name: string;
  version?: string;
  description?: string;
  hashes?: Array<{ alg: string; content: string }>;
  properties?: Array<{ name: string; value: string }>;
  components?: Component[];
}

function filesOf(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? filesOf(dir, join(rel, e.name)) : [join(rel, e.name)]))
    .sort();
}

/** One component per shipped model (models/<id>/manifest.json), with every file's SHA-256. */
export function modelComponents(modelsDir: string): Component[] {
  const release = keyId(createPublicKey(RELEASE_PUBLIC_KEY));
  return readdirSync(modelsDir)
    .filter((id) => existsSync(join(modelsDir, id, 'manifest.json')))
    .sort()
    .map((id) => {
      const dir = join(modelsDir, id);
      const { manifest } = readModelPackage(dir);
      const properties = [
        { name: 'sonoedge:model:task', value: manifest.task },
        { name: 'sonoedge:model:apiVersion', value: String(manifest.apiVersion) },
      ];
      if (existsSync(join(dir, 'statement.json'))) {
        const st = parseStatement(readFileSync(join(dir, 'statement.json')));
        properties.push({ name: 'sonoedge:statement:keyids', value: st.envelope.signatures.map((s) => s.keyid).join(',') });
        properties.push({ name: 'sonoedge:statement:releaseKey', value: String(st.envelope.signatures.some((s) => s.keyid === release)) });
        if (st.payload.expires) properties.push({ name: 'sonoedge:statement:expires', value: st.payload.expires });
      }
      return {
        'bom-ref': `model:${id}@${manifest.version}`,
        type: 'machine-learning-model',
        name: id,
        version: manifest.version,
        description: manifest.description,
        properties,
        components: filesOf(dir).map((f) => ({
          'bom-ref': `model:${id}@${manifest.version}:${f}`,
          type: 'file',
          name: f,
          hashes: [{ alg: 'SHA-256', content: sha256Hex(readFileSync(join(dir, f))) }],
        })),
      };
    });
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const root = packageRoot();
  const out = resolve(values.out ?? join(root, 'dist', 'sbom.cdx.json'));
  const npm = spawnSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (npm.status !== 0) {
    process.stderr.write(`npm sbom failed (${npm.status}): ${npm.stderr}\n`);
    process.exit(1);
  }
  const bom = JSON.parse(npm.stdout) as { metadata: { component: { name: string; 'bom-ref': string } }; components: Component[]; dependencies?: Array<{ ref: string; dependsOn: string[] }> };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
  bom.metadata.component.name = pkg.name; // npm names it after the checkout folder
  const models = modelComponents(join(root, 'models'));
  bom.components.push(...models);
  const top = bom.dependencies?.find((d) => d.ref === bom.metadata.component['bom-ref']);
  if (top) top.dependsOn.push(...models.map((m) => m['bom-ref']));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(bom, null, 2) + '\n');
  process.stdout.write(`wrote ${out}: ${bom.components.length - models.length} npm packages, ${models.length} models (${models.map((m) => `${m.name} ${m.version}`).join(', ')})\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
