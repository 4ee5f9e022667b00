import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelSession } from '../../../src/inference/session.js';
import type { ModelPackage } from '../../../src/models/package.js';
import { readArchive, writeArchive } from '../../../src/models/updates/archive.js';
import { generateSigningKeys, readPrivateKey, trustStoreOf, type TrustStore } from '../../../src/models/updates/keys.js';
import { packModelDir, signPackageBytes } from '../../../src/models/updates/pack.js';
import { sha256Hex } from '../../../src/models/updates/statement.js';
import { ModelStore } from '../../../src/models/updates/store.js';
import type { TrialEngine } from '../../../src/models/updates/test-vectors.js';
import { packageRoot } from '../../../src/util/package-root.js';

/** A manifest as JSON, to edit freely (the packer validates it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests write invalid manifests on purpose
export type RawManifest = Record<string, any>;

export const SHIPPED = join(packageRoot(), 'models');

export interface Signer {
  dir: string;
  keyPath: string;
  pubPath: string;
  keyid: string;
}

export function makeSigner(dir: string): Signer {
  const k = generateSigningKeys(dir);
  return { dir, keyPath: k.privatePath, pubPath: k.publicPath, keyid: k.keyid };
}

/** A copy of the shipped fetal-head folder (no statement) to edit, then pack and sign. */
export function modelFolder(root: string, name: string, edit: (dir: string, manifest: RawManifest) => void = () => {}): string {
  const dir = join(root, name, 'fetal-head');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(root, name), { recursive: true });
  cpSync(join(SHIPPED, 'fetal-head'), dir, { recursive: true });
  rmSync(join(dir, 'statement.json'), { force: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  edit(dir, manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Packs and signs a fetal-head folder as `version` (edited first by `edit`). */
export async function signedPackage(
  root: string,
  signer: Signer,
  version: string,
  options: { edit?: (dir: string, manifest: RawManifest) => void; expiresDays?: number; now?: Date } = {},
): Promise<Buffer> {
  const dir = modelFolder(root, `v${version}-${Math.random().toString(36).slice(2)}`, (d, m) => {
    m.version = version;
    options.edit?.(d, m);
  });
  const packed = await packModelDir(dir);
  return (await signPackageBytes(packed.bytes, readPrivateKey(signer.keyPath), { expiresDays: options.expiresDays ?? 30, now: options.now })).bytes;
}

/** Replaces one file inside a package (re-serialised canonically, statement untouched). */
export async function withFile(pkg: Buffer, name: string, bytes: Uint8Array): Promise<Buffer> {
  const files = await readArchive(pkg, { maxUnpackedBytes: 1e9 });
  files.set(name, Buffer.from(bytes));
  return writeArchive(files);
}

/** Rewrites a manifest file entry's bytes and SHA-256 in a model folder. */
export function replaceModelFile(dir: string, manifest: RawManifest, precision: string, bytes: Uint8Array): void {
  const f = manifest.files.find((x: { precision: string }) => x.precision === precision);
  writeFileSync(join(dir, f.path), bytes);
  f.sha256 = sha256Hex(bytes);
}

export function trustOf(signer: Signer, extra: { revoked?: string[]; expires?: string } = {}): TrustStore {
  return trustStoreOf({ trustedKeys: [extra.expires ? { key: signer.pubPath, expires: extra.expires } : readFileSync(signer.pubPath, 'utf8')], revokedKeys: extra.revoked ?? [] }, signer.dir);
}

/** A data dir and a bundled-models dir holding a copy of the shipped fetal-head. */
export function storeIn(root: string): ModelStore {
  const bundled = join(root, 'bundled');
  cpSync(join(SHIPPED, 'fetal-head'), join(bundled, 'fetal-head'), { recursive: true });
  return new ModelStore(join(root, 'data'), bundled);
}

/** A real onnxruntime CPU session (int8, one thread, one warm-up run), as the CLI opens one. */
export function openCpu(pkg: ModelPackage): Promise<TrialEngine> {
  return openModelSession(pkg, { providers: ['cpu'], precision: 'int8', intraOpThreads: 1, allowSpinning: false, warmupRuns: 1, deviceId: 0, tensorrt: { fp16: false, int8: false } });
}

export const UPDATES = { maxPackageBytes: 64 * 1024 * 1024, allowDowngrade: false };
