/**
 * Session-15 technician review 7: `sonoedge tokens revoke` run from a shell (another process) must end an
 * open live view of that token at once, as the README says, not at the socket's 30 s check. The daemon
 * polls the records database's data_version (src/server/plugins/other-writers.ts) and tells open views to check.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { packageRoot } from '../../src/util/package-root.js';

const root = tempDir();
let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon(root);
  await d.runtime.access.services.users.add('clinician', 'clinician', SECRETS.clinician);
});
afterAll(async () => d?.close());

/** The real CLI in its own process, not blocking this one (the daemon under test runs here). */
const cli = (args: string[]): Promise<{ stdout: string }> =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli.ts'), ...args], { cwd: packageRoot(), encoding: 'utf8', timeout: 120_000 });

describe('an open live view of a token', () => {
  it('closes (4401) within seconds of a `sonoedge tokens revoke` from another process, not at the 30 s check', async () => {
    const { id, token } = d.runtime.access.services.tokens.create('clinician', { label: 'tablet' });
    const ws = new WebSocket(d.url.replace('http', 'ws') + '/api/live', { headers: { authorization: `Bearer ${token}`, origin: d.url } });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    const opened = Date.now();
    const r = await cli(['tokens', 'revoke', id, '--data-dir', join(root, 'data')]);
    expect(r.stdout).toBe(`revoked ${id} (clinician)\n`);
    const revoked = Date.now();
    const code = await Promise.race([closed, new Promise<string>((resolve) => setTimeout(() => resolve('still open 10 s after the revoke'), 10_000))]);
    expect(code).toBe(4401);
    // the socket's own check comes 30 s after it opened: a close before then came from the data_version poll
    expect(Date.now() - opened).toBeLessThan(25_000);
    expect(Date.now() - revoked).toBeLessThan(5_000);
  }, 60_000);
});
