import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';

/**
 * The model package container: a plain POSIX tar (tar-stream), read entirely in memory with limits and
 * written byte-for-byte reproducibly (fixed times, owners and modes). Only regular files
 * are accepted; everything else (directories, links, devices, FIFOs) and every name that could land outside the
 * package folder is refused before a byte reaches the disk.
 */

export interface ArchiveLimits {
  /** Largest total of file sizes inside the archive. */
  maxUnpackedBytes: number;
  maxEntries?: number;
}

/** Package-relative names: at most two plain segments of [A-Za-z0-9._-], no dot-only segments. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,119}$/;
const MAX_DEPTH = 2;

/** Checks a name found in an archive; throws MODEL_PACKAGE_UNSAFE_PATH with the name when it is not a plain relative path. */
export function checkEntryName(raw: string): string {
  const name = raw;
  const segments = name.split('/');
  const bad =
    name.length === 0 || name.startsWith('/') || name.includes('\\') || name.includes('\0') || segments.length > MAX_DEPTH || segments.some((s) => !SEGMENT.test(s));
  if (bad) {
    throw new SonoError(
      ErrorCodes.MODEL_PACKAGE_UNSAFE_PATH,
      `Model package entry ${JSON.stringify(raw)} is not a plain relative name (absolute, "..", backslash, odd characters or deeper than ${MAX_DEPTH} levels); the package is refused. Rebuild it with \`sonoedge models pack\`.`,
      { details: { entry: raw } },
    );
  }
  return name;
}

/** Reads every file of a tar held in memory; throws a coded SonoError on the first unsafe or unreadable thing. */
export async function readArchive(bytes: Uint8Array, limits: ArchiveLimits): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const seen = new Set<string>();
  const maxEntries = limits.maxEntries ?? 256;
  let total = 0;
  let count = 0;
  const ex = extract();
  const input = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  input.pipe(ex);
  try {
    for await (const entry of ex) {
      const h = entry.header;
      count++;
      if (count > maxEntries) {
        throw new SonoError(ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY, `Model package has more than ${maxEntries} entries; a model package holds a handful of files. The package is refused.`);
      }
      const name = checkEntryName(h.name);
      const key = name.toLowerCase(); // a duplicate differing only in case would overwrite on a case-insensitive disk
      if (seen.has(key)) {
        throw new SonoError(ErrorCodes.MODEL_PACKAGE_DUPLICATE_ENTRY, `Model package holds "${name}" twice; which copy is meant is ambiguous, so the package is refused.`, { details: { entry: name } });
      }
      seen.add(key);
      if (h.type !== 'file') {
        throw new SonoError(
          ErrorCodes.MODEL_PACKAGE_UNSAFE_ENTRY,
          `Model package entry "${name}" is a ${h.type ?? 'unknown entry'}${h.linkname ? ` to ${JSON.stringify(h.linkname)}` : ''}; only regular files are accepted. The package is refused.`,
          { details: { entry: name, type: h.type ?? 'unknown' } },
        );
      }
      const size = h.size ?? 0;
      total += size;
      if (total > limits.maxUnpackedBytes) {
        throw new SonoError(
          ErrorCodes.MODEL_PACKAGE_TOO_LARGE,
          `Model package unpacks to more than ${limits.maxUnpackedBytes} bytes (at "${name}"); raise modelUpdates.maxPackageBytes if the model is really that large.`,
          { details: { limit: limits.maxUnpackedBytes } },
        );
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      files.set(name, Buffer.concat(chunks));
    }
  } catch (err) {
    input.unpipe(ex);
    ex.destroy();
    if (err instanceof SonoError) throw err;
    throw new SonoError(ErrorCodes.MODEL_PACKAGE_UNREADABLE, `Model package is not a readable tar archive (${errorMessage(err)}); copy it again or rebuild it with \`sonoedge models pack\`.`, { cause: err });
  }
  if (files.size === 0) {
    throw new SonoError(ErrorCodes.MODEL_PACKAGE_UNREADABLE, 'Model package holds no files; copy it again or rebuild it with `sonoedge models pack`.');
  }
  // Hashes and the signature cover every file's bytes, tar headers carry checksums; what neither covers
  // (padding, trailing blocks, header fields) is pinned by demanding the one canonical serialisation.
  const canonical = await writeArchive(files);
  if (!canonical.equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    throw new SonoError(
      ErrorCodes.MODEL_PACKAGE_NOT_CANONICAL,
      'Model package is not byte-for-byte the archive `sonoedge models pack` writes for its files (a changed byte outside the files, extra blocks or a foreign tar tool); copy it again or rebuild it with `sonoedge models pack`.',
    );
  }
  return files;
}

/** The statement first, then the manifest, then every other name in code-unit order. */
function canonicalOrder(a: string, b: string): number {
  const rank = (n: string): number => (n === 'statement.json' ? 0 : n === 'manifest.json' ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Writes `files` as the one reproducible tar of them (canonical order, fixed times, owners and modes). */
export async function writeArchive(entries: Iterable<[string, Uint8Array]>): Promise<Buffer> {
  const files = [...entries].sort(([a], [b]) => canonicalOrder(a, b));
  const p = pack();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) out.push(chunk as Buffer);
  })();
  for (const [name, data] of files) {
    checkEntryName(name);
    await new Promise<void>((resolve, reject) => {
      p.entry({ name, size: data.byteLength, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '', type: 'file' }, Buffer.from(data), (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(out);
}
