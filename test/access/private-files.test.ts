/** records.db, its WAL and calibration.json are owner-only once the process narrowed its umask (in a child: umask is process-wide). */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';

const SCRIPT = `
import { statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { restrictNewFiles, makeOwnerOnly, databaseFiles } from './src/access/private-files.ts';
import { openDatabase } from './src/records/database.ts';
const dir = process.argv[2];
process.umask(0o022); // what a shell usually gives a service
const old = join(dir, 'old-calibration.json');
writeFileSync(old, '{}');
chmodSync(old, 0o644);
restrictNewFiles();
const db = openDatabase(join(dir, 'records.db'), 'a'.repeat(64));
db.prepare("INSERT INTO audit_log (at, action) VALUES ('now', 'x')").run();
writeFileSync(join(dir, 'calibration.json'), '{}');
makeOwnerOnly([old]);
const mode = (f) => (statSync(f).mode & 0o777).toString(8);
console.log(JSON.stringify(Object.fromEntries([...databaseFiles(join(dir, 'records.db')), join(dir, 'calibration.json'), old].map((f) => [f.slice(dir.length + 1), mode(f)]))));
db.close();
`;

describe('files the daemon creates', () => {
  it('are 0600: the database, its WAL and shared memory, calibration.json, and an older file tightened', () => {
    const dir = tempDir('sonoedge-modes-');
    const script = join(dir, 'check.mts');
    writeFileSync(script, SCRIPT.replaceAll('./src/', `${packageRoot()}/src/`));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, dir], { encoding: 'utf8', cwd: packageRoot(), timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ 'records.db': '600', 'records.db-wal': '600', 'records.db-shm': '600', 'calibration.json': '600', 'old-calibration.json': '600' });
  });
});
