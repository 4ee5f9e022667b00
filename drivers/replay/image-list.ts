import { type Dirent, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { minimatch } from 'minimatch';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

/**
 * The images a replay folder plays, sorted by name: PNG/JPEG files whose names match `pattern`
 * (minimatch, case-insensitive; a leading `!(…)` is an extglob, not a negation of the whole pattern).
 * Entries that are links are skipped unless `followLinks` (a link could lead out of a media folder).
 */
export function listImages(folder: string, pattern: string, followLinks: boolean): string[] {
  const wanted = (e: Dirent): boolean => (e.isFile() || (followLinks && e.isSymbolicLink()))
    && IMAGE_EXT.has(extname(e.name).toLowerCase())
    && minimatch(e.name, pattern, { nocase: true, nonegate: true, nocomment: true });
  return readdirSync(folder, { withFileTypes: true }).filter(wanted).map((e) => e.name).sort().map((n) => join(folder, n));
}
