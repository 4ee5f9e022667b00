import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StowClient } from '../../src/sync/stow-client.js';
import { freePort } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!hasOpenssl)('STOW-RS over TLS with a custom CA and a bearer token', () => {
  const dir = tempDir();
  let url = '';
  let seenAuth = '';
  const server = (): ReturnType<typeof createServer> => createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    seenAuth = req.headers.authorization ?? '';
    req.resume();
    req.on('end', () => {
      res.writeHead(seenAuth === 'Bearer t0ken' ? 200 : 401, { 'content-type': 'application/dicom+json' });
      res.end(JSON.stringify({ '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['2.25.1'] } }] } }));
    });
  });
  let srv: ReturnType<typeof createServer>;
  beforeAll(async () => {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    expect(r.status).toBe(0);
    srv = server();
    const port = await freePort();
    await new Promise<void>((res) => srv.listen(port, '127.0.0.1', res));
    url = `https://127.0.0.1:${port}/dicom-web`;
  });
  afterAll(() => srv?.close());

  it('trusts the configured CA and sends the token', async () => {
    const r = await new StowClient({ name: 'tls', url, token: 't0ken', caFile: join(dir, 'cert.pem') }).store([{ sopInstanceUid: '2.25.1', bytes: Buffer.from('DICM') }]);
    expect(r.error).toBeUndefined();
    expect(r.instances).toEqual([{ uid: '2.25.1', outcome: 'stored' }]);
    expect(seenAuth).toBe('Bearer t0ken');
  });

  it('refuses an untrusted certificate (retried as a network problem, never sent in clear)', async () => {
    const r = await new StowClient({ name: 'tls', url, token: 't0ken' }).store([{ sopInstanceUid: '2.25.1', bytes: Buffer.from('DICM') }]);
    expect(r.error?.kind).toBe('network');
    expect(r.error?.message).toMatch(/self[- ]signed|certificate/i);
  });
});
