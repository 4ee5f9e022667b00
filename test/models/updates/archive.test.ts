import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Header, pack } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import { readArchive, writeArchive } from '../../../src/models/updates/archive.js';
import { installPackage } from '../../../src/models/updates/installer.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Signer, UPDATES, makeSigner, openCpu, signedPackage, storeIn, trustOf } from './fixtures.js';

type Headers = Partial<Header> & Pick<Header, 'name'>;

/** A tar written by tar-stream directly, with whatever headers an attacker likes. */
async function rawTar(entries: Array<[Headers, Buffer?]>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const [h, body] of entries) {
    await new Promise<void>((resolve, reject) => p.entry(h, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

describe('package extraction refuses what could escape the package folder or is not a plain file', () => {
  const root = tempDir('sonoedge-archive-');
  const store = storeIn(root);
  let signer: Signer;
  let files: Map<string, Buffer>;
  const file = (name: string, body = 'x'): [Headers, Buffer] => [{ name, type: 'file', size: Buffer.byteLength(body) }, Buffer.from(body)];

  beforeAll(async () => {
    signer = makeSigner(join(root, 'keys'));
    files = await readArchive(await signedPackage(root, signer, '1.1.0'), { maxUnpackedBytes: 1e9 });
  });

  /** The signed package's own entries plus `extra`, through the real installer: refused at extract, nothing written. */
  async function refusedAtExtract(extra: Array<[Headers, Buffer?]>, code: string): Promise<string> {
    const tar = await rawTar([...[...files].map(([name, body]): [Headers, Buffer] => [{ name, type: 'file', size: body.length }, body]), ...extra]);
    const r = await installPackage(tar, { store, trust: trustOf(signer), updates: UPDATES, open: openCpu, by: 'tech' });
    expect(r.failed).toMatchObject({ step: 'extract', code });
    expect(store.resolveActive('fetal-head')).toMatchObject({ source: 'bundled', version: '1.0.0' });
    expect(existsSync(join(root, 'evil'))).toBe(false);
    return r.failed!.message;
  }

  it('path traversal, absolute paths, backslashes and over-deep names', async () => {
    expect(await refusedAtExtract([file('../evil')], ErrorCodes.MODEL_PACKAGE_UNSAFE_PATH)).toMatch(/"\.\.\/evil" is not a plain relative name/);
    await refusedAtExtract([file('test-vectors/../../evil')], ErrorCodes.MODEL_PACKAGE_UNSAFE_PATH);
    await refusedAtExtract([file('/etc/evil')], ErrorCodes.MODEL_PACKAGE_UNSAFE_PATH);
    await refusedAtExtract([file('..\\evil')], ErrorCodes.MODEL_PACKAGE_UNSAFE_PATH);
    await refusedAtExtract([file('a/b/c')], ErrorCodes.MODEL_PACKAGE_UNSAFE_PATH);
  });

  it('symbolic and hard links, device files, FIFOs and directories', async () => {
    expect(await refusedAtExtract([[{ name: 'evil', type: 'symlink', linkname: '/etc/passwd' }]], ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY)).toMatch(/"evil" is a symlink to "\/etc\/passwd"/);
    await refusedAtExtract([[{ name: 'evil', type: 'link', linkname: 'manifest.json' }]], ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY);
    await refusedAtExtract([[{ name: 'evil', type: 'character-device', devmajor: 1, devminor: 3 }]], ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY);
    await refusedAtExtract([[{ name: 'evil', type: 'fifo' }]], ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY);
    await refusedAtExtract([[{ name: 'evil', type: 'directory' }]], ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY);
  });

  it('duplicate names, also differing only in case', async () => {
    expect(await refusedAtExtract([file('manifest.json', '{}')], ErrorCodes.MODEL_PACKAGE_DUPLICATE_ENTRY)).toMatch(/holds "manifest\.json" twice/);
    await refusedAtExtract([file('MANIFEST.json', '{}')], ErrorCodes.MODEL_PACKAGE_DUPLICATE_ENTRY);
  });

  it('a tar with only safe entries but not in canonical form, and garbage, are refused', async () => {
    const reordered = await rawTar([...files].reverse().map(([name, body]): [Headers, Buffer] => [{ name, type: 'file', size: body.length }, body]));
    await expect(readArchive(reordered, { maxUnpackedBytes: 1e9 })).rejects.toMatchObject({ code: ErrorCodes.MODEL_PACKAGE_NOT_CANONICAL });
    await expect(readArchive(Buffer.from('not a tar at all'.repeat(64)), { maxUnpackedBytes: 1e9 })).rejects.toMatchObject({ code: ErrorCodes.MODEL_PACKAGE_UNREADABLE });
    await expect(readArchive(await writeArchive([['a', Buffer.alloc(5000)]]), { maxUnpackedBytes: 4096 })).rejects.toMatchObject({ code: ErrorCodes.MODEL_PACKAGE_TOO_LARGE });
    const round = await writeArchive(files);
    expect([...(await readArchive(round, { maxUnpackedBytes: 1e9 })).keys()]).toEqual([...files.keys()]);
  });
});
