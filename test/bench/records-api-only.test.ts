import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

/** Every TypeScript file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

// Statements that write the records schema, and the raw calls that would run them.
const SQL_WRITE = /\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|ALTER\s+TABLE|DROP\s+(TABLE|INDEX))\b/i;
const RAW_DB = /\bdb\.(prepare|exec)\(/;

describe('bench/ goes through the records API', () => {
  it('no bench script writes SQL into the schema or runs statements on the database directly', () => {
    const root = packageRoot();
    const offenders = sources(join(root, 'bench')).flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (SQL_WRITE.test(line) || RAW_DB.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });
});
