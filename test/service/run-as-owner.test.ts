/**
 * Session-15 technician review finding 2 and 9: a CLI run as root on the service user's data folder, and a
 * daemon that meets a file it may not open. The service user is simulated with setpriv --reuid (uid 4711, no
 * passwd entry), so this runs only as root with setpriv; elsewhere it is skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

const UID = 4711;
const canSimulate = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
if (!canSimulate) console.warn('run-as-owner: skipped (needs root and setpriv to simulate the service user)');

const root = mkdtempSync(join(tmpdir(), 'sono-owner-'));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The real CLI, as root or (asService) as uid 4711. */
function cli(args: string[], asService = false, input = ''): { status: number | null; stderr: string } {
  const node = [process.execPath, '--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), ...args];
  const [cmd, ...rest] = asService ? ['setpriv', `--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', ...node] : node;
  const r = spawnSync(cmd!, rest, { cwd: packageRoot(), encoding: 'utf8', input, timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

function serviceDataDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, UID, UID);
  return dir;
}

describe.skipIf(!canSimulate)('a data folder the service user owns', () => {
  it('a root CLI command refuses before changing anything, and says the command to run as that user', () => {
    const dir = serviceDataDir('refuse');
    const r = cli(['users', 'add', 'bob', '--role', 'clinician', '--data-dir', dir], false, '135792\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`belongs to uid ${UID}`);
    expect(r.stderr).toContain(`setpriv --reuid=${UID} --regid=${UID} --clear-groups sonoedge users add bob --role clinician --data-dir ${dir}`);
    expect(readdirSync(dir)).toEqual([]); // no root-owned records.db or keys
    for (const args of [
      ['backup', '--to', join(root, 'stick'), '--data-dir', dir],
      ['restore', join(root, 'nowhere'), '--data-dir', dir],
      ['models', 'rollback', 'fetal-head', '--data-dir', dir],
    ]) {
      const c = cli(args);
      expect(c.stderr, args[0]).toContain('Nothing was changed');
      expect(c.status).not.toBe(0);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the service user meeting a root-owned records.db or key gets a coded error naming the owner and the chown', () => {
    const dir = serviceDataDir('foreign');
    const made = cli(['users', 'list', '--data-dir', dir], true); // makes records.db and the keys as the service user
    expect(made.status, made.stderr).toBe(0);
    expect(statSync(join(dir, 'records.db')).uid).toBe(UID);
    chownSync(join(dir, 'records.db'), 0, 0); // what a root restore used to leave
    const db = cli(['users', 'list', '--data-dir', dir], true);
    expect(db.status).toBe(1);
    expect(db.stderr).toContain(`Cannot open the records database ${join(dir, 'records.db')}: permission denied for uid ${UID}`);
    expect(db.stderr).toContain('owned by root (uid 0)');
    expect(db.stderr).toContain(`sudo chown -R ${UID}:${UID} ${dir}`);
    chownSync(join(dir, 'records.db'), UID, UID);
    chownSync(join(dir, 'keys', 'device.secret'), 0, 0);
    const key = cli(['users', 'list', '--data-dir', dir], true);
    expect(key.stderr).toContain(`Cannot open the key file ${join(dir, 'keys', 'device.secret')}: permission denied`);
  });

  it('a data folder the service user cannot create says so, not a bare EACCES on mkdir', () => {
    const parent = join(root, 'ro');
    mkdirSync(parent, { mode: 0o500 });
    const r = cli(['users', 'list', '--data-dir', join(parent, 'data')], true);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${parent} is owned by root (uid 0)`);
    expect(r.stderr).toContain(`sudo install -d -m 0700 -o ${UID} -g ${UID} ${join(parent, 'data')}`);
  });
});
