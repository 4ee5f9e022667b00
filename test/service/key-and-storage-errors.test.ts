/**
 * Key files written atomically and refused (never replaced) when torn; SQLite's own write errors said as what
 * they are: a full database (SQLITE_FULL, made real with max_page_count) answers 507 SONO_DISK_LOW through the
 * real app, and an open that fails for I/O reasons does not blame the key.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { type TestApp, buildTestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

function thrown(f: () => unknown): SonoError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SonoError);
    return err as SonoError;
  }
  throw new Error('expected a throw');
}

describe('key files', () => {
  it('a new key is 64 hex digits, mode 0600, with no temp file left beside it, and read back the same', () => {
    const dir = tempDir('sonoedge-key-');
    const file = join(dir, 'keys', 'records.key');
    const key = loadOrCreateKey(file, {});
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'keys'))).toEqual(['records.key']);
    expect(loadOrCreateKey(file, {})).toBe(key);
  });

  it.each([['empty', ''], ['torn', 'a3f09c1e\n']])('a %s key file is refused with SONO_KEY_FILE_INVALID and left as it was', (_what, content) => {
    const dir = tempDir('sonoedge-key-');
    const file = join(dir, 'records.key');
    writeFileSync(file, content, { mode: 0o600 });
    const e = thrown(() => loadOrCreateKey(file, {}));
    expect(e.code).toBe(ErrorCodes.KEY_FILE_INVALID);
    expect(e.message).toMatch(/^Key file .*records\.key does not hold a 64-hex-digit key .* It is not replaced, since a new key could not read the records: restore the file from your backup/);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});

describe('SQLite storage errors', () => {
  let t: TestApp | undefined;
  afterAll(async () => t?.close());

  it('a full database (SQLITE_FULL) refuses a new exam with 507 SONO_DISK_LOW, and what was stored stays', async () => {
    t = await buildTestApp();
    const first = await t.app.inject({ method: 'POST', url: '/api/exams', payload: {} });
    expect(first.statusCode).toBe(201);
    const pages = (t.db.pragma('page_count', { simple: true }) as number);
    t.db.pragma(`max_page_count = ${pages}`);
    let last = first;
    for (let i = 0; i < 200 && last.statusCode === 201; i++) last = await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { name: `DOE^N${i}`, id: `MRN-${'x'.repeat(40)}-${i}` } } });
    expect(last.statusCode).toBe(507);
    const body = last.json<{ code: string; message: string; details: { sqlite: string } }>();
    expect(body.code).toBe('SONO_DISK_LOW');
    expect(body.details.sqlite).toBe('SQLITE_FULL');
    expect(body.message).toMatch(/^The disk holding the records database is full \(SQLITE_FULL\); this change was not saved/);
    t.db.pragma('max_page_count = 1073741823');
    const read = await t.app.inject({ url: `/api/exams/${first.json<{ id: string }>().id}` });
    expect(read.statusCode).toBe(200);
    expect(t.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('an open that fails for I/O reasons (its WAL cannot be opened: a folder stands in its place) does not say "wrong key"', () => {
    const dir = tempDir('sonoedge-open-');
    const file = join(dir, 'records.db');
    const key = 'ab'.repeat(32);
    openDatabase(file, key).close();
    mkdirSync(`${file}-wal`);
    const e = thrown(() => openDatabase(file, key));
    expect(e.code).toBe(ErrorCodes.DATABASE_FAILED);
    expect(e.message).not.toMatch(/wrong key/);
    expect(e.message).toMatch(/^Cannot open records database .*: the storage failed \(SQLITE_CANTOPEN\), the key is not at fault\. Check the disk/);
  });
});
