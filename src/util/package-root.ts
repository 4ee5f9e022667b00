import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The sonoedge package folder, whether running from src/ (tests) or dist/src/ (installed). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'sonoedge') return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('Cannot find the sonoedge package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
