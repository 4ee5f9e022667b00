/** HTTPS with the device's own CA: a real TLS handshake that trusts only that CA, the Secure __Host- cookie, HSTS. */
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceCertificateFiles } from '../../src/access/certificate.js';
import { checkBindSecurity, httpsOptionsFor, tlsFingerprints } from '../../src/access/tls.js';
import { setUpAccess } from '../../src/access/setup.js';
import { DEFAULT_ACCESS_SETTINGS } from '../../src/access/access.js';
import { openDataDir } from './access-app.js';
import { tempDir } from '../helpers/tmp.js';
import { PINS, accessTestApp, addRoleUsers, type AccessTestApp } from './access-app.js';

const server = { host: '127.0.0.1', port: 0, tls: 'self-signed' as const, allowInsecureHttp: false, allowedHosts: ['sonoedge-ward3.local'], rateLimit: { max: 600, windowMs: 60_000, signInMax: 20 }, maxWebSockets: 16, requestTimeoutMs: 30_000 };

function post(url: string, ca: Buffer, body: unknown, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('HTTPS with a self-signed device certificate', () => {
  const dataDir = join(tempDir('sonoedge-tls-'), 'data');
  let t: AccessTestApp | undefined;
  afterAll(async () => t?.app.close());

  it('makes a CA and a server certificate for the device\'s names, keeps them, and serves a Secure __Host- cookie with HSTS', async () => {
    const https = httpsOptionsFor(server, dataDir)!;
    const files = deviceCertificateFiles(dataDir);
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(files.caKeyFile).mode & 0o777).toBe(0o600);
    const ca = readFileSync(files.caFile);
    const leaf = new X509Certificate(https.cert);
    expect(leaf.checkIssued(new X509Certificate(ca))).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:sonoedge-ward3.local');
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    const fp = tlsFingerprints(server, dataDir)!;
    expect(fp.ca).toBe(new X509Certificate(ca).fingerprint256);
    expect(fp.ca).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // a second start reuses them: a tablet paired once stays paired
    httpsOptionsFor(server, dataDir);
    expect(tlsFingerprints(server, dataDir)).toEqual(fp);

    t = await accessTestApp(dataDir, { https });
    await addRoleUsers(t.services);
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = base.replace('127.0.0.1', 'localhost');
    expect(url).toMatch(/^https:/);
    const r = await post(`${url}/api/session`, ca, { user: 'clinician', secret: PINS.clinician }, { origin: url });
    expect(r.status).toBe(200);
    expect(String(r.headers['set-cookie'])).toMatch(/^__Host-sonoedge=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    expect(r.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    // a client that does not trust the device CA is refused by TLS itself
    await expect(post(`${url}/api/session`, Buffer.from(''), {}, {})).rejects.toThrow(/self-signed|unable to verify|certificate/i);
  });

  it('renews the server certificate from the same CA when the device gets a new name', () => {
    const before = tlsFingerprints(server, dataDir)!;
    httpsOptionsFor({ ...server, allowedHosts: ['sonoedge-ward4.local'] }, dataDir);
    const after = tlsFingerprints(server, dataDir)!;
    expect(after.ca).toBe(before.ca);
    expect(after.certificate).not.toBe(before.certificate);
  });
});

describe('binding beyond loopback', () => {
  it('refuses plain HTTP on a network address, saying how to enable TLS, unless allowInsecureHttp', () => {
    expect(() => checkBindSecurity({ host: '0.0.0.0', tls: undefined, allowInsecureHttp: false })).toThrow(expect.objectContaining({
      code: 'SONO_INSECURE_BIND_REFUSED', message: expect.stringContaining('server.tls to "self-signed"'),
    }));
    expect(() => checkBindSecurity({ host: '192.168.1.20', tls: undefined, allowInsecureHttp: true })).not.toThrow();
    expect(() => checkBindSecurity({ host: '0.0.0.0', tls: 'self-signed', allowInsecureHttp: false })).not.toThrow();
    for (const host of ['127.0.0.1', '::1', 'localhost']) expect(() => checkBindSecurity({ host, tls: undefined, allowInsecureHttp: false })).not.toThrow();
  });

  it('setUpAccess refuses before making anything, and gives https options when TLS is configured', () => {
    const dataDir = join(tempDir('sonoedge-setup-'), 'data');
    const { db, deviceSecret } = openDataDir(dataDir);
    const o = { baseDir: dataDir, dataDir, db, deviceSecret };
    expect(() => setUpAccess({ ...o, config: { server: { ...server, host: '0.0.0.0', tls: undefined }, access: DEFAULT_ACCESS_SETTINGS } })).toThrow(/Refusing to serve plain HTTP on 0\.0\.0\.0/);
    const plain = setUpAccess({ ...o, config: { server: { ...server, tls: undefined }, access: DEFAULT_ACCESS_SETTINGS } });
    expect([plain.https, plain.secure]).toEqual([undefined, false]);
    const tls = setUpAccess({ ...o, config: { server: { ...server, host: '0.0.0.0' }, access: DEFAULT_ACCESS_SETTINGS } });
    expect(tls.secure).toBe(true);
    expect(tls.https!.cert.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    db.close();
  });
});
