/**
 * The device never loses its last administrator (session-15 review: the only admin disabled itself over HTTP;
 * then nobody could manage accounts, tokens or the audit trail over the network, the name could not be reused,
 * and nothing enabled it again). Real routes and a real CLI process on the same data directory.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { type AccessTestApp, PINS, accessTestApp } from './access-app.js';

describe('the last administrator', () => {
  const dataDir = join(tempDir('sonoedge-last-admin-'), 'data');
  let t: AccessTestApp;
  let rootToken: string;
  beforeAll(async () => {
    t = await accessTestApp(dataDir);
    await t.services.users.add('root', 'admin', PINS.admin);
    rootToken = t.services.tokens.create('root', { label: 'test' }).token;
  });
  afterAll(async () => t.app.close());

  const post = (url: string, token = rootToken): Promise<{ status: number; body: Record<string, unknown> }> =>
    t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } }).then((r) => ({ status: r.statusCode, body: r.json() as Record<string, unknown> }));

  it('is not disabled, by itself over HTTP or from the CLI; once another admin exists it may be', async () => {
    const self = await post('/api/users/root/disable');
    expect(self.status).toBe(409);
    expect(self.body).toMatchObject({ code: 'SONO_ACCESS_LAST_ADMIN' });
    expect(self.body.message).toMatch(/add another administrator first/);
    const cli = runCli(['users', 'disable', 'root', '--data-dir', dataDir]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/only enabled administrator/);
    expect((await t.app.inject({ url: '/api/users', headers: { authorization: `Bearer ${rootToken}` } })).statusCode).toBe(200);

    await t.services.users.add('second-admin', 'admin', PINS.admin);
    expect((await post('/api/users/root/disable')).status).toBe(200);
    expect(t.services.users.find('root')?.disabled).toBe(true);
    // the one left is now the last
    const secondToken = t.services.tokens.create('second-admin', { label: 'test' }).token;
    expect((await post('/api/users/second-admin/disable', secondToken)).body).toMatchObject({ code: 'SONO_ACCESS_LAST_ADMIN' });
  });

  it('a disabled account is enabled again (HTTP and CLI), audited; its old token stays revoked', async () => {
    const secondToken = t.services.tokens.create('second-admin', { label: 'test 2' }).token;
    await t.services.users.add('nurse', 'clinician', PINS.clinician);
    expect((await post('/api/users/nurse/disable', secondToken)).status).toBe(200);
    await expect(t.services.users.add('nurse', 'clinician', PINS.clinician)).rejects.toThrow(/disabled account is named "nurse".*users enable nurse/);
    expect(await post('/api/users/nurse/enable', secondToken)).toMatchObject({ status: 200, body: { name: 'nurse', disabled: false } });
    expect(t.services.audit.list({ action: 'user.enable', limit: 1 })[0]).toMatchObject({ user: 'second-admin', target: 'nurse', outcome: 'ok' });

    expect(runCli(['users', 'enable', 'root', '--data-dir', dataDir])).toMatchObject({ status: 0, stdout: 'enabled root\n' });
    expect(t.services.users.find('root')?.disabled).toBe(false);
    expect((await t.app.inject({ url: '/api/users', headers: { authorization: `Bearer ${rootToken}` } })).statusCode).toBe(401);
    expect((await post('/api/users/nobody/enable', secondToken)).status).toBe(404);
  });
});
