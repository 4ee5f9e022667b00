/**
 * The account commands as real processes, against the data directory of an app that is running meanwhile:
 * what the CLI adds, disables or revokes takes effect at once in the running server.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccess } from '../../src/access/access.js';
import { openDatabase } from '../../src/records/database.js';
import { packageRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, accessTestApp } from './access-app.js';

/** Runs the CLI with `input` on standard input (a pipe, not a terminal). */
function runCliWithInput(args: string[], input: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), ...args], { cwd: packageRoot(), encoding: 'utf8', input, env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sonoedge users / tokens', () => {
  const dataDir = join(tempDir('sonoedge-access-cli-'), 'data');
  let t: AccessTestApp;
  beforeAll(async () => {
    t = await accessTestApp(dataDir);
  });
  afterAll(async () => t.app.close());

  const signIn = (user: string, secret: string): Promise<number> =>
    t.app.inject({ method: 'POST', url: '/api/session', payload: { user, secret } }).then((r) => r.statusCode);

  it('adds accounts reading the PIN or password from the first line of stdin; the running server signs them in at once', async () => {
    const add = runCliWithInput(['users', 'add', 'Amélie', '--role', 'clinician', '--data-dir', dataDir], '583920\nignored second line\n');
    expect(add).toMatchObject({ status: 0, stdout: 'added Amélie (clinician)\n' });
    expect(await signIn('Amélie', '583920')).toBe(200);
    expect(runCliWithInput(['users', 'add', 'Admin', '--role', 'admin', '--data-dir', dataDir], 'a long admin password\n').status).toBe(0);
    expect(runCli(['users', 'list', '--data-dir', dataDir]).stdout).toMatch(/^Admin\tadmin\tactive\t\S+\nAmélie\tclinician\tactive\t\S+\n$/);
  });

  it('refuses a PIN of the wrong form, an unknown role, and a name taken', () => {
    const shortPin = runCliWithInput(['users', 'add', 'Bruno', '--role', 'clinician', '--data-dir', dataDir], '1234\n');
    expect(shortPin.status).toBe(1);
    expect(shortPin.stderr).toMatch(/PIN of 6 to 12 digits/);
    const badRole = runCliWithInput(['users', 'add', 'Bruno', '--role', 'nurse', '--data-dir', dataDir], '123456\n');
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/--role clinician\|technician\|admin/);
    expect(runCliWithInput(['users', 'add', 'amélie', '--role', 'clinician', '--data-dir', dataDir], '123456\n').stderr).toMatch(/already exists/);
  });

  it('prints a token alone on one line; it works at once, and stops once revoked', async () => {
    const created = runCli(['tokens', 'create', '--user', 'Admin', '--data-dir', dataDir]);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^sonoedge_[A-Za-z0-9_-]{43}\n$/);
    const token = created.stdout.trim();
    const id = /token (tok_[0-9a-f]+)/.exec(created.stderr)![1]!;
    const users = (): Promise<number> => t.app.inject({ url: '/api/users', headers: { authorization: `Bearer ${token}` } }).then((r) => r.statusCode);
    expect(await users()).toBe(200);
    expect(runCli(['tokens', 'revoke', id, '--data-dir', dataDir])).toMatchObject({ status: 0, stdout: `revoked ${id} (Admin)\n` });
    expect(await users()).toBe(401);
  });

  it('disables an account: its open session ends at once in the running server', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/session', payload: { user: 'Amélie', secret: '583920' } });
    const cookie = /^sonoedge=[^;]+/.exec(String(r.headers['set-cookie']))![0];
    expect((await t.app.inject({ url: '/api/exams', headers: { cookie } })).statusCode).toBe(200);
    expect(runCli(['users', 'disable', 'Amélie', '--data-dir', dataDir])).toMatchObject({ status: 0, stdout: 'disabled Amélie\n' });
    expect((await t.app.inject({ url: '/api/exams', headers: { cookie } })).statusCode).toBe(401);
    expect(await signIn('Amélie', '583920')).toBe(401);
    const actions = t.services.audit.list().filter((row) => row.client === 'cli').map((row) => row.action);
    expect(actions).toEqual(['user.disable', 'token.revoke', 'token.create', 'user.create', 'user.create']);
  });

  it('lists the commands in --help', () => {
    const help = runCli(['--help']).stdout;
    for (const c of ['users add NAME --role clinician|technician|admin', 'users list', 'users disable NAME', 'tokens create --user NAME', 'tokens revoke ID', 'audit verify']) expect(help).toContain(`sonoedge ${c}`);
  });
});

describe('keys from systemd credentials', () => {
  it('takes the database key and the device secret from $CREDENTIALS_DIRECTORY when the unit provides them: no key file is written, and the audit chain is anchored with the credential', () => {
    const root = tempDir('sonoedge-access-creds-');
    const creds = join(root, 'credentials');
    mkdirSync(creds, { mode: 0o700 });
    const dbKey = randomBytes(32).toString('hex');
    const deviceSecret = randomBytes(32).toString('hex');
    writeFileSync(join(creds, 'sonoedge-db-key'), `${dbKey}\n`, { mode: 0o400 });
    writeFileSync(join(creds, 'sonoedge-device-secret'), `${deviceSecret}\n`, { mode: 0o400 });
    const config = join(root, 'sonoedge.yaml');
    writeFileSync(config, `dataDir: ${join(root, 'data')}\n`);
    const env = { CREDENTIALS_DIRECTORY: creds };
    expect(runCliWithInput(['users', 'add', 'Chloé', '--role', 'admin', '--config', config], 'a long admin password\n', env)).toMatchObject({ status: 0, stdout: 'added Chloé (admin)\n' });
    expect(runCli(['audit', 'verify', '--data-dir', join(root, 'data')], env).status).toBe(0);
    expect(existsSync(join(root, 'data', 'keys', 'records.key')) || existsSync(join(root, 'data', 'keys', 'device.secret'))).toBe(false);
    // the records open with the credential key, and the chain checks out with the credential secret alone
    const db = openDatabase(join(root, 'data', 'records.db'), dbKey);
    try {
      const access = openAccess(db, deviceSecret);
      expect(access.users.find('Chloé')).toMatchObject({ role: 'admin' });
      expect(access.audit.verify()).toMatchObject({ ok: true, rows: 1 });
      expect(openAccess(db, randomBytes(32).toString('hex')).audit.verify()).toMatchObject({ ok: false });
    } finally {
      db.close();
    }
  });
});
