import { type Dirent, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { minimatch } from 'minimatch';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

/**
 * True when `bytes` start like a PNG or a JPEG. The decoder (libvips) goes by content, not by name: an
 * SVG or a TIFF named .png would be decoded too, and an SVG may pull in other files.
 */
export function isPngOrJpeg(bytes: Uint8Array): boolean {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b);
  return png || (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff);
}

/**
 * The images a replay folder plays, sorted by name: PNG/JPEG files whose names match `pattern`
 * (minimatch, case-insensitive; a leading `!(…)` is an extglob, not a negation of the whole pattern).
 * Entries that are links are skipped unless `followLinks` (a link could lead out of a media folder).
 */
export function listImages(folder: string, pattern: string, followLinks: boolean): string[] {
  const wanted = (e: Dirent): boolean =>
    (e.isFile() || (followLinks && e.isSymbolicLink())) && IMAGE_EXT.has(extname(e.name).toLowerCase()) && minimatch(e.name, pattern, { nocase: true, nonegate: true, nocomment: true });
  return readdirSync(folder, { withFileTypes: true })
    .filter(wanted)
    .map((e) => e.name)
    .sort()
    .map((n) => join(folder, n));
}
